"""Style sheets of the public readiness pages, kept as Python strings so they ship in any wheel.

The pages are self-contained: the CSS is inlined into each page, uses the system font stack and
loads nothing from anywhere (no fonts, images, scripts or CDNs).
"""
