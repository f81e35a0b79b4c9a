from django.contrib.gis.db.models.sql.conversion import AreaField, DistanceField

__all__ = [
    "AreaField",
    "DistanceField",
]
