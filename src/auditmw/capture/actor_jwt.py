"""The ``jwt:`` actor source: a bearer token verified with the configured key (PyJWT).

The token is read from ``Authorization: Bearer …`` and believed only when its signature
verifies under ``[actor.jwt]`` ``key`` / ``key_file`` (a PEM public key or a shared
secret) or a key of ``jwks_file`` (chosen by the token's ``kid``), with one of the
configured ``algorithms`` (``none`` is refused at start), unexpired, and with the
configured ``audience`` / ``issuer`` when set. Anything else — a bad signature, a token
for another audience, an expired or malformed one — names nobody: the next source is
tried. Claims become the actor by ``[actor.jwt.claims]`` (``id = "sub"``,
``name = "name"``, ``team = "team"``, ``on_behalf_of = "act.sub"``, the RFC 8693 actor
claim of an impersonation or delegation token); dotted names reach nested claims.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditmw.errors import ConfigError
from auditmw.event import Actor

if TYPE_CHECKING:
    from auditmw.config import JwtConfig

log = logging.getLogger("auditmw.capture")

_ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
               "ES512", "EdDSA")
_CACHE_SIZE = 1024


def _claim(claims: Any, path: str) -> Any:
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text or None


class JwtSource:
    """Verifies bearer tokens; built once from ``[actor.jwt]``, at start."""

    def __init__(self, cfg: JwtConfig) -> None:
        try:
            import jwt
        except ImportError:
            raise ConfigError("actor.sources: the 'jwt:' source needs PyJWT "
                              "(pip install 'auditmw[jwt]')") from None
        self._jwt = jwt
        self.cfg = cfg
        self._keys: dict[str | None, Any] = {}
        secret = cfg.key
        if cfg.key_file:
            try:
                secret = Path(cfg.key_file).read_text("utf-8")
            except OSError as exc:
                raise ConfigError(f"actor.jwt.key_file: cannot read {cfg.key_file}: "
                                  f"{exc.strerror}") from None
        if cfg.jwks_file:
            try:
                jwks = jwt.PyJWKSet.from_json(Path(cfg.jwks_file).read_text("utf-8"))
            except OSError as exc:
                raise ConfigError(f"actor.jwt.jwks_file: cannot read {cfg.jwks_file}: "
                                  f"{exc.strerror}") from None
            except (jwt.PyJWTError, ValueError, json.JSONDecodeError) as exc:
                raise ConfigError(f"actor.jwt.jwks_file: {cfg.jwks_file} is not a usable "
                                  f"JWKS: {exc}") from None
            for jwk in jwks.keys:
                self._keys[jwk.key_id] = jwk.key
        if secret:
            self._keys[None] = secret
        if not self._keys:
            raise ConfigError("actor.jwt: the 'jwt:' source needs key, key_file or jwks_file")
        pem = secret.lstrip().startswith("-----BEGIN") if secret else False
        self.algorithms = list(cfg.algorithms) or (
            list(_ASYMMETRIC) if pem or cfg.jwks_file else ["HS256"])
        if secret and not pem and any(a in _ASYMMETRIC for a in self.algorithms):
            raise ConfigError("actor.jwt.algorithms: an asymmetric algorithm needs a PEM "
                              "public key (key or key_file), not a shared secret")
        self._cache: OrderedDict[str, tuple[Actor | None, float]] = OrderedDict()

    def actor(self, authorization: str | None) -> Actor | None:
        """The actor of a verified ``Bearer`` token; ``None`` for anything else."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 16_384:
            return None
        now = time.time()
        cached = self._cache.get(token)
        if cached is not None and cached[1] > now:
            return cached[0]
        found, until = self._verify(token, now)
        self._cache[token] = (found, until)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return found

    def _verify(self, token: str, now: float) -> tuple[Actor | None, float]:
        jwt = self._jwt
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if kid in self._keys else self._keys.get(None)
            if key is None and len(self._keys) == 1:
                key = next(iter(self._keys.values()))
            if key is None:
                return None, now + 60
            claims = jwt.decode(
                token, key, algorithms=self.algorithms, audience=self.cfg.audience or None,
                issuer=self.cfg.issuer or None, leeway=self.cfg.leeway_s,
                options={"require": ["exp"]} if self.cfg.require_exp else None)
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            log.debug("auditmw: bearer token not believed: %s", exc)
            return None, now + 60
        exp = claims.get("exp")
        until = float(exp) if isinstance(exp, int | float) else now + 300
        return self._actor(claims), min(until, now + 300)

    def _actor(self, claims: dict[str, Any]) -> Actor | None:
        names = self.cfg.claims
        ident = _text(_claim(claims, names.id))
        name = _text(_claim(claims, names.name)) or ident
        if ident is None and name is None:
            return None
        behalf = _text(_claim(claims, names.on_behalf_of)) if names.on_behalf_of else None
        return Actor(id=ident, name=name, team=_text(_claim(claims, names.team)),
                     on_behalf_of=Actor(id=behalf, name=behalf) if behalf else None)
