"""Output: a report (or an image audit, a build context) as a table, Markdown, JSON or HTML, and
the text views.
"""
