{{ indicator_config() }}
-- ESMS-DMP, per ESMS (FINESS géographique) in force at D: numerator = distinct patients (INS) with >=1 document
-- authored by the ESMS (author_finess), not DELETED, in the MSS/DMP window (int_esms_dmp_patients_in_window; every
-- patient of the ESMS counts, so the rate may exceed 100 %) / DUI actifs with a valid projet personnalisé.
-- No region row; the row's period is the MSS/DMP window (macro esms_window_indicator, shared with ESMS-MSS).
{{ esms_window_indicator('ESMS-DMP', 'int_esms_dmp_patients_in_window') }}
