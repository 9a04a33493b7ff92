#!/usr/bin/python3
"""Checks executed notebooks (scripts/test-notebooks.sh): no error output in any cell, and every code
cell tagged "image" has at least one image/png output. Extracts each PNG to <folder>/png/ so the
pictures can be looked at. Usage: check_notebooks.py FOLDER NAME... (NAME without .ipynb)."""
import base64
import json
import os
import sys


def check(path, png_dir):
    problems, images = [], 0
    nb = json.load(open(path, encoding="utf-8"))
    name = os.path.splitext(os.path.basename(path))[0]
    tagged = 0
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        pngs = 0
        for k, out in enumerate(cell.get("outputs", [])):
            if out.get("output_type") == "error":
                problems.append("cell %d raised %s: %s" % (i, out.get("ename"), out.get("evalue")))
            png = out.get("data", {}).get("image/png")
            if png:
                pngs += 1
                with open(os.path.join(png_dir, "%s-cell%02d-%d.png" % (name, i, k)), "wb") as f:
                    f.write(base64.b64decode(png))
        images += pngs
        if "image" in cell.get("metadata", {}).get("tags", []):
            tagged += 1
            if pngs == 0:
                first = "".join(cell["source"]).strip().splitlines()[0]
                problems.append("cell %d (tagged image, '%s') has no image/png output" % (i, first))
    if tagged == 0:
        problems.append("no cell is tagged image: the notebook declares no expected picture")
    return problems, images


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    png_dir = os.path.join(folder, "png")
    os.makedirs(png_dir, exist_ok=True)
    passed = failed = 0
    for name in names:
        path = os.path.join(folder, name + ".ipynb")
        if not os.path.exists(path):
            print("FAIL %s: not executed (see the log above)" % name)
            failed += 1
            continue
        problems, images = check(path, png_dir)
        if problems:
            failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("    " + p)
        else:
            passed += 1
            print("ok   %s: %d images" % (name, images))
    print("notebooks: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
