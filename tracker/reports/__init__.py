"""Reports: pipeline flow, requirement insight and interviewer calibration."""
