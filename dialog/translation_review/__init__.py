"""Translation review at /staff/translations: per-string state beside the Swedish source,
approve / edit / comment, and XLIFF 2.0 export and import for translation agencies."""

