#!/usr/bin/env python3
"""Write Ultralytics/cv2 letterbox references for the Rust resize parity checks.

For each input image: decode with cv2 (as Ultralytics does), optionally crop, save the decoded RGB
source as PNG (so the Rust side starts from identical pixels, independent of JPEG decoder
differences), then run Ultralytics' own `LetterBox(auto=False, center=True)` for each size and save
the RGB result as PNG, plus a JSON with the pad geometry.

  python scripts/reference/cv2_letterbox_reference.py --out crates/yolo/tests/fixtures/resize \
      --crop 300,200,203,151 --sizes 64,320 /work/shared/testdata/images/bus.jpg
"""
import argparse
import json
import os

import cv2
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="640")
    ap.add_argument("--crop", help="x,y,w,h crop applied to the decoded image")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()

    from ultralytics.data.augment import LetterBox

    os.makedirs(a.out, exist_ok=True)
    index = {}
    for path in a.images:
        stem = os.path.splitext(os.path.basename(path))[0]
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        if a.crop:
            x, y, w, h = (int(v) for v in a.crop.split(","))
            bgr = np.ascontiguousarray(bgr[y : y + h, x : x + w])
            stem += f"_crop{w}x{h}"
        cv2.imwrite(os.path.join(a.out, f"{stem}_src.png"), bgr)  # cv2 writes BGR -> correct PNG colours
        for s in (int(v) for v in a.sizes.split(",")):
            lb = LetterBox(new_shape=(s, s), auto=False, center=True)
            out = lb(image=bgr)
            name = f"{stem}_lb{s}.png"
            cv2.imwrite(os.path.join(a.out, name), out)
            index[name] = {"src": f"{stem}_src.png", "size": s, "src_w": bgr.shape[1], "src_h": bgr.shape[0]}
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
