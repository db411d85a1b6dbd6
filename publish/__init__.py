"""Publish: the static site of published submissions, built fresh and swapped in atomically."""

from publish.settings import SiteSettings
from publish.site import BuildReport, PreviewClash, build_site
from publish.swap import OutputInUse

__all__ = ["BuildReport", "OutputInUse", "PreviewClash", "SiteSettings", "build_site"]
