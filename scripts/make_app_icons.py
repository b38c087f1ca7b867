"""Draws the installable app's icons (static/img/icon-192.png, icon-512.png): a white house with
a heart on the theme colour, with room around it for the phone's mask. Run once; the PNGs are
committed (docs/OFFLINE.md)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

THEME = (13, 110, 253)
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parent.parent / "static" / "img"


def draw(size: int) -> Image.Image:
    big = size * 4  # drawn large, then scaled down: smooth edges without antialiasing support
    image = Image.new("RGB", (big, big), THEME)
    pen = ImageDraw.Draw(image)
    u = big / 100
    pen.polygon([(50 * u, 20 * u), (80 * u, 46 * u), (20 * u, 46 * u)], fill=WHITE)  # roof
    pen.rectangle([28 * u, 45 * u, 72 * u, 78 * u], fill=WHITE)  # walls
    # the heart: two circles and a triangle, in the theme colour
    r = 7 * u
    pen.ellipse([43 * u - r, 56 * u - r, 43 * u + r, 56 * u + r], fill=THEME)
    pen.ellipse([57 * u - r, 56 * u - r, 57 * u + r, 56 * u + r], fill=THEME)
    pen.polygon([(36.4 * u, 58.5 * u), (63.6 * u, 58.5 * u), (50 * u, 72 * u)], fill=THEME)
    return image.resize((size, size), Image.LANCZOS).quantize(colors=32)


if __name__ == "__main__":
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)
