"""Auth dependencies as the full-stack FastAPI template writes them (api/deps.py)."""

from __future__ import annotations

import time
from typing import Annotated, Any

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

SECRET_KEY = "template-secret-key-for-tests-0123456789"
ALGORITHM = "HS256"
USERS: dict[str, dict[str, Any]] = {
    "kim@example.com": {"id": 7, "email": "kim@example.com", "full_name": "Kim Lee",
                        "password": "kim-pw-1", "is_active": True},
    "sam@example.com": {"id": 8, "email": "sam@example.com", "full_name": "Sam Roe",
                        "password": "sam-pw-2", "is_active": True},
}
reusable_oauth2 = OAuth2PasswordBearer(tokenUrl="/login/access-token")


class User(BaseModel):
    id: int
    email: str
    full_name: str
    is_active: bool = True


def create_access_token(subject: str, key: str = SECRET_KEY, **claims: Any) -> str:
    return jwt.encode({"sub": subject, "exp": int(time.time()) + 600, **claims}, key,
                      algorithm=ALGORITHM)


def authenticate(email: str, password: str) -> User | None:
    row = USERS.get(email)
    if row is None or row["password"] != password:
        return None
    return User(**{k: v for k, v in row.items() if k != "password"})


def get_current_user(token: Annotated[str, Depends(reusable_oauth2)]) -> User:
    try:
        payload = jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN,
                            detail="Could not validate credentials") from None
    row = USERS.get(payload.get("sub", ""))
    if row is None:
        raise HTTPException(status_code=404, detail="User not found")
    return User(**{k: v for k, v in row.items() if k != "password"})


CurrentUser = Annotated[User, Depends(get_current_user)]
