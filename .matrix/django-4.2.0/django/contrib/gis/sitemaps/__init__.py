# Geo-enabled Sitemap classes.
from django.contrib.gis.sitemaps.kml import KMLSitemap, KMZSitemap

__all__ = ["KMLSitemap", "KMZSitemap"]
