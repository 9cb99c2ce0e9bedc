/* placeholder until ocr-engine.c lands; removed then */
