"""Person masks from MediaPipe Selfie Segmentation, run in the peer venv (`make bench-peers`).

Usage: .venv-peers/bin/python scripts/peers/mediapipe_masks.py OUT_DIR IMAGE [IMAGE ...]
Writes OUT_DIR/<stem>.png: the selfie model's person probability as 8-bit grey (0..255), at the image's size.
The general (square, 256x256) model is used: model_selection=0.
"""
import sys
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr); return 2
    out = Path(argv[0]); out.mkdir(parents=True, exist_ok=True)
    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as seg:
        for p in argv[1:]:
            img = cv2.imread(p, cv2.IMREAD_COLOR)
            if img is None:
                print(f"{p}: cannot read", file=sys.stderr); return 1
            prob = seg.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB)).segmentation_mask
            cv2.imwrite(str(out / (Path(p).stem + ".png")), np.clip(prob * 255 + 0.5, 0, 255).astype(np.uint8))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
