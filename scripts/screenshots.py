"""Screenshot pages of a running server as a given account, at desktop and phone widths.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 USER PASSWORD OUTDIR /orgs/ /units/ ...
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def main(base, username, password, outdir, *paths):
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size_name, (width, height) in SIZES.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(base + "/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            for path in paths:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                page.screenshot(path=str(out / f"{name}-{size_name}.png"), full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
