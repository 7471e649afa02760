"""Trading domain steps: NSE symbol master, corporate calendar, institutional flows, insider and bulk/block deals."""
