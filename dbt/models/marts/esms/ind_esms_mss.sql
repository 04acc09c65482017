{{ indicator_config() }}
-- ESMS-MSS, per ESMS (FINESS géographique) in force at D: numerator = messages sent via the MSSanté by the ESMS
-- (sender_finess), not FAILED, in the MSS/DMP window (int_esms_mss_messages_in_window; every message of the ESMS
-- counts, so the rate may exceed 100 %, doc 003 says so too) / DUI actifs with a valid projet personnalisé.
-- No region row; the row's period is the MSS/DMP window (macro esms_window_indicator, shared with ESMS-DMP).
{{ esms_window_indicator('ESMS-MSS', 'int_esms_mss_messages_in_window') }}
