"""SMS: text formatting for GSM-7, the gateway client and signatures, and a local gateway simulator."""
