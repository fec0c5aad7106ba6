#!/usr/bin/env python3
"""Turns a terminal screen captured with ANSI colours into an SVG picture.

    tmux capture-pane -e -p -t SESSION | scripts/ansi2svg.py --cols 120 --rows 32 > screen.svg

Reads the SGR sequences that `tmux capture-pane -e` writes (bold, dim,
italic, underline, reverse; the 16 named colours, the 256-colour palette and
24-bit colours) and draws every cell on a fixed grid: text as glyphs placed
cell by cell, block elements (gauges, sparklines) as rectangles and box
drawing (pane borders) as lines, so the picture lines up whatever monospace
font the viewer has. Standard library only.
"""

import argparse
import html
import re
import sys
import unicodedata

# A dark terminal palette for the 16 named colours.
PALETTE16 = [
    "#1e1e1e", "#e05252", "#3fbf7f", "#d7ba3d", "#3b82d0", "#c06fc0", "#2fb0c8", "#d4d4d4",
    "#6e6e6e", "#f06c6c", "#5fd79f", "#f0d060", "#6aa8f0", "#d890d8", "#56d0e8", "#ffffff",
]
DEFAULT_FG = "#d4d4d4"
DEFAULT_BG = "#181818"

CELL_W = 8.4
CELL_H = 18.0
FONT_SIZE = 14.0
PAD = 12.0
FONT = "'DejaVu Sans Mono', 'SFMono-Regular', Menlo, Consolas, 'Liberation Mono', monospace"

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-ln-z]|[()][0-9A-Za-z]|[=>])")


def palette(n):
    """The xterm 256-colour palette."""
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        r, g, b = steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
        return f"#{r:02x}{g:02x}{b:02x}"
    level = 8 + (n - 232) * 10
    return f"#{level:02x}{level:02x}{level:02x}"


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def copy(self):
        s = Style()
        for k in Style.__slots__:
            setattr(s, k, getattr(self, k))
        return s

    def colours(self):
        """(foreground, background) as drawn; background None is the default."""
        fg, bg = self.fg or DEFAULT_FG, self.bg
        if self.reverse:
            fg, bg = (bg or DEFAULT_BG), fg or DEFAULT_FG
        return fg, bg

    def text_key(self):
        return (self.colours()[0], self.bold, self.dim, self.italic, self.underline)

    def apply(self, params):
        codes = [int(p) if p.isdigit() else 0 for p in re.split(r"[;:]", params)] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = PALETTE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = PALETTE16[c - 90 + 8]
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = PALETTE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = PALETTE16[c - 100 + 8]
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = palette(codes[i + 2] % 256)
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    r, g, b = (min(v, 255) for v in codes[i + 2:i + 5])
                    colour = f"#{r:02x}{g:02x}{b:02x}"
                    i += 4
                else:
                    colour = None
                    i += 1
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1


def cell_width(ch):
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text, cols, rows):
    """The screen as rows of cells: (character, style), None after a wide one."""
    style = Style()
    grid = []
    for line in text.split("\n")[:rows]:
        line = OTHER_ESCAPE.sub("", line.rstrip("\r"))
        row = []
        pos = 0
        for m in SGR.finditer(line + "\x1b[m"):
            for ch in line[pos:m.start()]:
                w = cell_width(ch)
                if w == 0 or ch < " ":
                    continue
                row.append((ch, style.copy()))
                if w == 2:
                    row.append(None)
            if m.start() < len(line):
                style.apply(m.group(1))
            pos = m.end()
        while len(row) < cols:
            row.append((" ", Style()))
        grid.append(row[:cols])
    while len(grid) < rows:
        grid.append([(" ", Style()) for _ in range(cols)])
    return grid


# Block elements drawn as rectangles: (x0, y0, x1, y1) as fractions of the cell, opacity.
BLOCKS = {
    "█": (0, 0, 1, 1, 1.0),
    "▀": (0, 0, 1, 0.5, 1.0),
    "▄": (0, 0.5, 1, 1, 1.0),
    "▌": (0, 0, 0.5, 1, 1.0),
    "▐": (0.5, 0, 1, 1, 1.0),
    "░": (0, 0, 1, 1, 0.25),
    "▒": (0, 0, 1, 1, 0.5),
    "▓": (0, 0, 1, 1, 0.75),
}
for _n, _ch in enumerate("▁▂▃▅▆▇", start=0):
    _eighths = [1, 2, 3, 5, 6, 7][_n]
    BLOCKS[_ch] = (0, 1 - _eighths / 8, 1, 1, 1.0)
for _n, _ch in enumerate("▉▊▋▍▎▏"):
    _eighths = [7, 6, 5, 3, 2, 1][_n]
    BLOCKS[_ch] = (0, 0, _eighths / 8, 1, 1.0)

# Box drawing: the arms (up, right, down, left) of each character, with their
# weight: 1 light, 2 heavy, 3 double.
_BOX = {
    "─": "0101", "│": "1010", "┌": "0110", "┐": "0011", "└": "1100", "┘": "1001",
    "├": "1110", "┤": "1011", "┬": "0111", "┴": "1101", "┼": "1111",
    "━": "0202", "┃": "2020", "┏": "0220", "┓": "0022", "┗": "2200", "┛": "2002",
    "┣": "2220", "┫": "2022", "┳": "0222", "┻": "2202", "╋": "2222",
    "═": "0303", "║": "3030", "╔": "0330", "╗": "0033", "╚": "3300", "╝": "3003",
    "╭": "0110", "╮": "0011", "╰": "1100", "╯": "1001",
}
BOX = {ch: tuple(int(d) for d in arms) for ch, arms in _BOX.items()}


def box_lines(ch, x, y, colour):
    """SVG lines for a box-drawing character in the cell at (x, y)."""
    up, right, down, left = BOX[ch]
    cx, cy = x + CELL_W / 2, y + CELL_H / 2
    out = []

    def line(x1, y1, x2, y2, width):
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="{width}"/>'
        )

    if 3 in (up, right, down, left):
        g = 1.6
        dx = 1 if right else (-1 if left else 0)
        dy = 1 if down else (-1 if up else 0)
        if dx and dy:  # a corner
            hx = x + CELL_W if dx > 0 else x
            vy = y + CELL_H if dy > 0 else y
            line(cx - dx * g, cy - dy * g, hx, cy - dy * g, 1)
            line(cx + dx * g, cy + dy * g, hx, cy + dy * g, 1)
            line(cx - dx * g, cy - dy * g, cx - dx * g, vy, 1)
            line(cx + dx * g, cy + dy * g, cx + dx * g, vy, 1)
        elif left or right:
            line(x, cy - g, x + CELL_W, cy - g, 1)
            line(x, cy + g, x + CELL_W, cy + g, 1)
        else:
            line(cx - g, y, cx - g, y + CELL_H, 1)
            line(cx + g, y, cx + g, y + CELL_H, 1)
        return out
    widths = {1: 1.0, 2: 2.2}
    heavy = max(up, right, down, left)
    # Arms meet at the centre; extend each by half the other's width.
    reach = widths.get(heavy, 1.0) / 2
    if up:
        line(cx, y, cx, cy + reach, widths[up])
    if down:
        line(cx, cy - reach, cx, y + CELL_H, widths[down])
    if left:
        line(x, cy, cx + reach, cy, widths[left])
    if right:
        line(cx - reach, cy, x + CELL_W, cy, widths[right])
    return out


def render(grid, cols, rows, title):
    width = cols * CELL_W + 2 * PAD
    height = rows * CELL_H + 2 * PAD
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" role="img" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
        f'<rect width="100%" height="100%" rx="8" fill="{DEFAULT_BG}"/>',
    ]
    # Backgrounds, one rectangle per run of a colour.
    for r, row in enumerate(grid):
        y = PAD + r * CELL_H
        c = 0
        while c < cols:
            cell = row[c]
            bg = cell[1].colours()[1] if cell else None
            start = c
            while c < cols and (row[c][1].colours()[1] if row[c] else bg) == bg:
                c += 1
            if bg:
                out.append(
                    f'<rect x="{PAD + start * CELL_W:.1f}" y="{y:.1f}" '
                    f'width="{(c - start) * CELL_W:.1f}" height="{CELL_H:.1f}" fill="{bg}"/>'
                )
    # Blocks and box drawing as shapes; text as runs of one style.
    shapes, texts = [], []
    for r, row in enumerate(grid):
        y = PAD + r * CELL_H
        baseline = y + CELL_H * 0.74
        run = []  # (column, character)
        run_key = None

        def flush():
            if not run:
                return
            fg, bold, dim, italic, underline = run_key
            xs = " ".join(f"{PAD + col * CELL_W:.1f}" for col, _ in run)
            chars = "".join(ch for _, ch in run)
            attrs = [f'x="{xs}"', f'y="{baseline:.1f}"', f'fill="{fg}"']
            if bold:
                attrs.append('font-weight="bold"')
            if dim:
                attrs.append('opacity="0.6"')
            if italic:
                attrs.append('font-style="italic"')
            if underline:
                attrs.append('text-decoration="underline"')
            texts.append(f"<text {' '.join(attrs)}>{html.escape(chars, quote=False)}</text>")
            run.clear()

        for c, cell in enumerate(row):
            if cell is None:
                continue
            ch, style = cell
            fg = style.colours()[0]
            x = PAD + c * CELL_W
            if ch in BLOCKS:
                x0, y0, x1, y1, alpha = BLOCKS[ch]
                opacity = f' fill-opacity="{alpha}"' if alpha < 1 else ""
                shapes.append(
                    f'<rect x="{x + x0 * CELL_W:.1f}" y="{y + y0 * CELL_H:.1f}" '
                    f'width="{(x1 - x0) * CELL_W:.1f}" height="{(y1 - y0) * CELL_H:.1f}" '
                    f'fill="{fg}"{opacity}/>'
                )
                flush()
                continue
            if ch in BOX:
                shapes.extend(box_lines(ch, x, y, fg))
                flush()
                continue
            if ch == " ":
                flush()
                continue
            key = style.text_key()
            if key != run_key:
                flush()
                run_key = key
            run.append((c, ch))
        flush()
    out.append('<g shape-rendering="crispEdges">')
    out.extend(shapes)
    out.append("</g>")
    out.append(f'<g font-family="{FONT}" font-size="{FONT_SIZE}" xml:space="preserve">')
    out.extend(texts)
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cols", type=int, default=120)
    ap.add_argument("--rows", type=int, default=32)
    ap.add_argument("--title", default="ops-tui")
    ap.add_argument("input", nargs="?", help="the captured screen (default: stdin)")
    args = ap.parse_args()
    if args.input:
        with open(args.input, encoding="utf-8") as f:
            text = f.read()
    else:
        text = sys.stdin.read()
    grid = parse(text, args.cols, args.rows)
    sys.stdout.write(render(grid, args.cols, args.rows, args.title))


if __name__ == "__main__":
    main()
