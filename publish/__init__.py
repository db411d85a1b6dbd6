"""Publish: the static site of published submissions, built fresh and swapped in atomically."""

from publish.search import SearchIndexFailed
from publish.settings import SiteSettings
from publish.site import BuildReport, PreviewClash, SiteUnwritable, build_site
from publish.swap import OutputInUse

__all__ = [
    "BuildReport",
    "OutputInUse",
    "PreviewClash",
    "SearchIndexFailed",
    "SiteSettings",
    "SiteUnwritable",
    "build_site",
]
