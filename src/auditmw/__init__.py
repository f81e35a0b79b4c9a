"""auditmw: an audit trail for existing Python web apps."""
__version__ = "0.1.0.dev0"
