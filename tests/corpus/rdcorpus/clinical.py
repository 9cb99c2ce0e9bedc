# clinical.py owns the clinical vocabulary: service lines and their words,
# reasons, ICD-10-CM codes, lab panels with analytes and ranges, medications,
# and the phrasings of mentions that are not enclosures.

LINES = ["electrophysiology", "heart_failure", "interventional", "preventive", "general"]
LINE_WORDS = {
    "electrophysiology": ["Electrophysiology", "EP / Arrhythmia", "Arrhythmia (EP)"],
    "heart_failure": ["Heart Failure", "Heart Failure Clinic", "HF / Cardiomyopathy"],
    "interventional": ["Interventional", "Interventional Cardiology", "Cath / Interventional"],
    "preventive": ["Preventive", "Preventive Cardiology", "Lipid / Prevention"],
    "general": ["General Cardiology", "General", "Consult - General"],
}
LINE_SENTENCE = {
    "electrophysiology": "to your electrophysiology (arrhythmia) service",
    "heart_failure": "to your heart failure clinic",
    "interventional": "to interventional cardiology",
    "preventive": "to your preventive cardiology clinic",
    "general": "for a general cardiology consultation",
}
REASONS = {
    "electrophysiology": ["Paroxysmal atrial fibrillation with palpitations, CHA2DS2-VASc 3",
                          "Recurrent syncope, possible bradyarrhythmia",
                          "Frequent PVCs on Holter, 14% burden", "SVT episodes, evaluate for ablation"],
    "heart_failure": ["Worsening dyspnea on exertion and ankle edema, LVEF 30-35%",
                      "New cardiomyopathy, EF 25% on outside echo",
                      "HFrEF, recurrent admissions, GDMT optimisation"],
    "interventional": ["Exertional chest pressure, abnormal stress test",
                       "Typical angina despite medical therapy", "Positive troponin, known CAD, evaluate for cath"],
    "preventive": ["Familial hypercholesterolemia, LDL 212 on statin",
                   "Strong family history of premature CAD, risk assessment",
                   "Elevated coronary calcium score, lipid management"],
    "general": ["New systolic murmur", "Hypertension with palpitations",
                "Preoperative cardiac evaluation", "Abnormal EKG on routine physical"],
}
CODES = {
    "electrophysiology": ["I48.0", "I48.91", "R55", "I49.3", "I47.1", "R00.2"],
    "heart_failure": ["I50.22", "I50.32", "I50.9", "I42.0", "R60.0", "I11.0"],
    "interventional": ["I20.9", "I25.10", "R07.9", "R94.39", "I25.119"],
    "preventive": ["E78.00", "E78.5", "Z82.49", "R93.1", "E78.01"],
    "general": ["R01.1", "I10", "R00.2", "R94.31", "Z01.810"],
}
URGENCY_WORDS = {"routine": ["Routine", "Non-urgent"], "urgent": ["Urgent", "Expedited"],
                 "stat": ["STAT", "Emergent"]}

# (code, name, unit, low, high, decimals)
PANELS = {
    "bmp": [("NA", "Sodium", "mmol/L", 133, 147, 0), ("K", "Potassium", "mmol/L", 3.3, 5.4, 1),
            ("CL", "Chloride", "mmol/L", 96, 110, 0), ("CO2", "Carbon Dioxide", "mmol/L", 21, 32, 0),
            ("BUN", "Urea Nitrogen", "mg/dL", 7, 30, 0), ("CREA", "Creatinine", "mg/dL", 0.6, 1.6, 2),
            ("GLU", "Glucose", "mg/dL", 70, 140, 0)],
    "cmp_extra": [("CA", "Calcium", "mg/dL", 8.4, 10.4, 1), ("TP", "Protein, Total", "g/dL", 6.0, 8.3, 1),
                  ("ALP", "Alkaline Phosphatase", "U/L", 40, 150, 0)],
    "cmp": [("ALB", "Albumin", "g/dL", 3.4, 5.0, 1), ("AST", "AST (SGOT)", "U/L", 10, 45, 0),
            ("ALT", "ALT (SGPT)", "U/L", 7, 50, 0), ("TBIL", "Bilirubin, Total", "mg/dL", 0.2, 1.3, 1)],
    "lipid": [("CHOL", "Cholesterol, Total", "mg/dL", 120, 260, 0), ("TRIG", "Triglycerides", "mg/dL", 60, 300, 0),
              ("HDL", "HDL Cholesterol", "mg/dL", 30, 80, 0), ("LDL", "LDL Cholesterol (calc)", "mg/dL", 60, 210, 0)],
    "bnp": [("BNP", "B-Type Natriuretic Peptide", "pg/mL", 10, 1800, 0)],
    "ntbnp": [("NTBNP", "NT-proBNP", "pg/mL", 50, 9000, 0)],
    "troponin": [("TNIHS", "Troponin I, High Sensitivity", "ng/L", 2, 90, 0)],
    "cbc": [("WBC", "White Blood Cells", "K/uL", 3.5, 12, 1), ("HGB", "Hemoglobin", "g/dL", 9.5, 16.5, 1),
            ("HCT", "Hematocrit", "%", 30, 50, 1), ("PLT", "Platelets", "K/uL", 130, 420, 0)],
    "a1c": [("A1C", "Hemoglobin A1c", "%", 5.0, 9.5, 1)],
    "tsh": [("TSH", "TSH", "uIU/mL", 0.3, 6.0, 2)],
    "inr": [("PT", "Prothrombin Time", "sec", 10, 28, 1), ("INR", "INR", "", 0.9, 3.2, 1)],
}
REF_RANGES = {"CA": "8.6-10.3", "TP": "6.1-8.1", "ALP": "44-121", "NA": "135-145", "K": "3.5-5.1", "CL": "98-107", "CO2": "22-29", "BUN": "8-23",
              "CREA": "0.60-1.20", "GLU": "70-99", "ALB": "3.5-5.0", "AST": "10-40", "ALT": "7-56",
              "TBIL": "0.3-1.2", "CHOL": "<200", "TRIG": "<150", "HDL": ">40", "LDL": "<100",
              "BNP": "<100", "NTBNP": "<125", "TNIHS": "<14", "WBC": "4.0-11.0", "HGB": "12.0-16.0",
              "HCT": "36-46", "PLT": "150-400", "A1C": "<5.7", "TSH": "0.40-4.50", "PT": "11.0-13.5",
              "INR": "0.9-1.1"}
PANEL_ORDER = ["bmp", "cmp", "lipid", "bnp", "troponin", "cbc", "a1c", "tsh", "inr"]
PANEL_TITLES = {"bmp": "BASIC METABOLIC PANEL", "cmp": "COMPREHENSIVE METABOLIC PANEL",
                "lipid": "LIPID PANEL", "bnp": "BNP", "ntbnp": "NT-PROBNP", "troponin": "TROPONIN",
                "cbc": "CBC", "a1c": "HEMOGLOBIN A1C", "tsh": "THYROID STIMULATING HORMONE",
                "inr": "PROTIME / INR"}
MEDS = ["metoprolol succinate 50 mg daily", "lisinopril 10 mg daily", "atorvastatin 40 mg nightly",
        "apixaban 5 mg twice daily", "furosemide 40 mg daily", "spironolactone 25 mg daily",
        "sacubitril/valsartan 49/51 mg BID", "amlodipine 5 mg daily", "metformin 500 mg BID",
        "aspirin 81 mg daily", "diltiazem ER 180 mg daily", "empagliflozin 10 mg daily",
        "rosuvastatin 20 mg daily", "levothyroxine 75 mcg daily", "carvedilol 12.5 mg BID"]
LAB_NAMES = ["Quest-Like Reference Lab", "Valley Clinical Laboratory", "Regional Medical Center Lab",
             "Summit Diagnostics", "County Hospital Laboratory", "Northstar Pathology"]

# phrasings that mention a document without enclosing it
MENTIONS = {
    "ekg": ["EKG ordered, will fax when done", "ECG to be obtained at next visit",
            "12-lead EKG scheduled", "see attached EKG", "EKG: pending"],
    "labs": ["labs pending", "BMP and BNP drawn today, results to follow",
             "will send lipid panel when resulted", "see attached labs"],
    "echo": ["see attached echo", "echocardiogram ordered", "echo scheduled next week",
             "outside echo to be forwarded"],
    "stress_test": ["stress test scheduled", "nuclear stress test ordered", "see attached stress test"],
    "clinical_notes": ["office notes to follow", "progress notes will be sent separately"],
    "med_list": ["medication list attached", "current med list to follow"],
}
