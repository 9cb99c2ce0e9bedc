# rdcorpus: the packet generator's modules (tests/corpus/gen-packets drives them).
