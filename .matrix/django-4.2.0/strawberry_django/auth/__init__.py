from .mutations import login, logout, register
from .queries import current_user

__all__ = ["current_user", "login", "logout", "register"]
