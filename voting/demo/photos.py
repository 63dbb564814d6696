"""Drawn "site photos" for the demo: sky, ground and a subject, with a camera-style date stamp.

Nothing is downloaded. Each picture is drawn with Pillow; the loader stores it through the same
pipeline as an uploaded photo (voting/services/photos.py): re-encoded without metadata, under a
random name, with its thumbnail beside it.
"""

import random
from datetime import datetime

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE = (1024, 768)  # pixels
HORIZON = 430  # y of the horizon, pixels

SCENES = ("building", "road", "water", "station")


def draw_site_photo(scene: str, taken_at: datetime, seed: int) -> Image.Image:
    """A picture of `scene` (one of SCENES), stamped with `taken_at`, varied by `seed`."""
    rng = random.Random(seed)  # noqa: S311 -- a repeatable drawing, not a secret
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _sky(draw, rng)
    _hills(draw, rng)
    _ground(draw, rng)
    {"building": _building, "road": _road, "water": _water, "station": _station}[scene](draw, rng)
    image = image.filter(ImageFilter.SMOOTH)  # soften the drawn edges a little, like a lens
    _stamp(ImageDraw.Draw(image), taken_at)
    return image


def _blend(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _sky(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    top, bottom = rng.choice((
        ((92, 148, 210), (200, 222, 240)),  # clear
        ((150, 165, 180), (215, 220, 225)),  # overcast
        ((110, 160, 205), (235, 225, 205)),  # morning haze
    ))
    for y in range(HORIZON):
        draw.line([(0, y), (SIZE[0], y)], fill=_blend(top, bottom, y / HORIZON))
    for _ in range(rng.randint(2, 5)):
        x, y = rng.randint(0, SIZE[0]), rng.randint(30, 200)
        for dx in range(0, rng.randint(80, 200), 30):
            r = rng.randint(20, 38)
            draw.ellipse([x + dx - r, y - r, x + dx + r, y + r], fill=(240, 243, 246))


def _hills(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    for depth, colour in enumerate(((128, 150, 140), (92, 122, 96))):
        points = [(0, HORIZON)]
        x = 0
        while x < SIZE[0]:
            x += rng.randint(90, 220)
            points.append((x, HORIZON - rng.randint(60, 170) + depth * 50))
        points.append((SIZE[0], HORIZON))
        draw.polygon(points, fill=colour)


def _ground(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    near, far = (134, 118, 92), (160, 150, 120)
    for y in range(HORIZON, SIZE[1]):
        t = (y - HORIZON) / (SIZE[1] - HORIZON)
        draw.line([(0, y), (SIZE[0], y)], fill=_blend(far, near, t))
    for _ in range(40):
        x, y = rng.randint(0, SIZE[0]), rng.randint(HORIZON + 10, SIZE[1])
        draw.ellipse([x, y, x + rng.randint(4, 14), y + rng.randint(2, 6)], fill=(110, 100, 80))


def _building(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    left, floors = rng.randint(120, 300), rng.randint(4, 6)
    width, storey = rng.randint(420, 560), 58
    top = HORIZON + 60 - floors * storey
    wall = rng.choice(((226, 220, 206), (236, 232, 224), (214, 200, 180)))
    draw.rectangle([left, top, left + width, HORIZON + 60], fill=wall, outline=(150, 140, 125),
                   width=3)
    for floor in range(floors):
        y = top + floor * storey + 14
        for x in range(left + 24, left + width - 40, 62):
            draw.rectangle([x, y, x + 38, y + 30], fill=(118, 150, 170), outline=(90, 90, 90))
    if rng.random() < 0.6:  # still under construction: scaffolding and a tower crane
        for x in range(left - 16, left + width + 20, 36):
            draw.line([(x, top - 10), (x, HORIZON + 60)], fill=(70, 96, 150), width=3)
        for y in range(top, HORIZON + 60, storey // 2):
            draw.line([(left - 16, y), (left + width + 16, y)], fill=(70, 96, 150), width=2)
        mast = left + width + rng.randint(60, 140)
        draw.rectangle([mast, top - 170, mast + 14, HORIZON + 60], fill=(230, 180, 40))
        draw.line([(mast - 260, top - 160), (mast + 120, top - 160)], fill=(230, 180, 40), width=10)
        draw.line([(mast - 200, top - 160), (mast - 200, top - 40)], fill=(60, 60, 60), width=2)
    else:  # finished: a signboard over the door
        draw.rectangle([left + width // 2 - 40, HORIZON, left + width // 2 + 40, HORIZON + 60],
                       fill=(90, 70, 55))
        draw.rectangle([left + width // 2 - 120, top - 40, left + width // 2 + 120, top - 6],
                       fill=(180, 30, 40))


def _road(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    centre = SIZE[0] // 2 + rng.randint(-120, 120)
    draw.polygon([(centre - 30, HORIZON), (centre + 30, HORIZON), (centre + 520, SIZE[1]),
                  (centre - 520, SIZE[1])], fill=(70, 72, 76))
    for step in range(12):
        t0, t1 = step / 12, (step + 0.5) / 12
        depth = SIZE[1] - HORIZON
        y0, y1 = HORIZON + depth * t0 ** 1.6, HORIZON + depth * t1 ** 1.6
        draw.line([(centre, y0), (centre, y1)], fill=(235, 235, 230), width=max(2, int(14 * t1)))
    for side in (-1, 1):
        for step in range(1, 7):
            t = step / 7
            x = centre + side * (40 + 560 * t)
            y = HORIZON + (SIZE[1] - HORIZON) * t
            r = 14 + 60 * t
            draw.rectangle([x - 3 * t - 2, y - r * 1.8, x + 3 * t + 2, y], fill=(90, 70, 50))
            draw.ellipse([x - r, y - r * 3, x + r, y - r * 1.4], fill=(60, 120, 60))
    if rng.random() < 0.5:  # road works: cones across one lane
        for step in range(4):
            x, y = centre + 90 + step * 70, SIZE[1] - 120 - step * 30
            draw.polygon([(x, y - 46), (x - 16, y), (x + 16, y)], fill=(240, 110, 30))
            draw.line([(x - 10, y - 18), (x + 10, y - 18)], fill=(250, 250, 250), width=5)


def _water(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.polygon([(0, HORIZON + 20), (SIZE[0], HORIZON + 10), (SIZE[0], HORIZON + 170),
                  (0, HORIZON + 190)], fill=(78, 122, 150))
    for _ in range(30):
        x, y = rng.randint(0, SIZE[0]), rng.randint(HORIZON + 30, HORIZON + 170)
        draw.line([(x, y), (x + rng.randint(20, 60), y)], fill=(140, 180, 200), width=2)
    crest = HORIZON + 180
    draw.polygon([(0, crest), (SIZE[0], crest - 10), (SIZE[0], crest + 40), (0, crest + 60)],
                 fill=(170, 170, 165))
    spill = rng.randint(250, 700)
    draw.rectangle([spill, crest - 8, spill + 90, SIZE[1]], fill=(130, 130, 128))
    draw.rectangle([spill + 12, crest + 20, spill + 78, SIZE[1]], fill=(200, 215, 220))
    if rng.random() < 0.7:  # an excavator at work on the dam
        x, y = min(spill + 200, SIZE[0] - 240), crest + 75
        draw.rectangle([x, y, x + 100, y + 45], fill=(235, 180, 30))
        draw.rectangle([x + 8, y + 45, x + 110, y + 65], fill=(50, 50, 50))
        draw.line([(x + 90, y + 8), (x + 170, y - 60), (x + 215, y + 15)], fill=(235, 180, 30),
                  width=12)


def _station(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    left, width = rng.randint(140, 360), rng.randint(360, 480)
    roof = HORIZON - 40
    colour = rng.choice(((40, 90, 160), (180, 40, 40), (60, 120, 90)))
    draw.polygon([(left - 30, roof), (left + width + 30, roof), (left + width, roof + 30),
                  (left, roof + 30)], fill=colour)
    for x in (left + 10, left + width - 20):
        draw.rectangle([x, roof + 30, x + 12, HORIZON + 120], fill=(120, 120, 125))
    draw.rectangle([left + 40, roof + 60, left + width - 40, HORIZON + 60], fill=(225, 228, 230),
                   outline=(150, 150, 150), width=2)
    for x in range(left + 60, left + width - 80, 70):  # cabinets, chargers or notice boards
        draw.rectangle([x, HORIZON - 10, x + 44, HORIZON + 100], fill=(200, 40, 40))
        draw.rectangle([x + 8, HORIZON + 4, x + 36, HORIZON + 24], fill=(30, 30, 30))
    draw.rectangle([left - 10, HORIZON + 120, left + width + 10, HORIZON + 135],
                   fill=(150, 150, 148))


def _stamp(draw: ImageDraw.ImageDraw, taken_at: datetime) -> None:
    """The orange date stamp a site camera prints in the corner."""
    text = taken_at.strftime("%Y-%m-%d %H:%M")
    try:
        font = ImageFont.load_default(size=30)
    except (OSError, TypeError):  # Pillow built without FreeType: the small bitmap font
        font = ImageFont.load_default()
    right, bottom = SIZE[0] - 28, SIZE[1] - 24
    box = draw.textbbox((0, 0), text, font=font)
    origin = (right - (box[2] - box[0]), bottom - (box[3] - box[1]))
    draw.text((origin[0] + 2, origin[1] + 2), text, font=font, fill=(40, 30, 20))
    draw.text(origin, text, font=font, fill=(255, 150, 40))
