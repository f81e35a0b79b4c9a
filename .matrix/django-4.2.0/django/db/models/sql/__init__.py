from django.db.models.sql.query import *  # NOQA
from django.db.models.sql.query import Query
from django.db.models.sql.subqueries import *  # NOQA
from django.db.models.sql.where import AND, OR, XOR

__all__ = ["Query", "AND", "OR", "XOR"]
