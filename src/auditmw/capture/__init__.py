"""Request analysis shared by every front door: what happened, by whom, from where."""
