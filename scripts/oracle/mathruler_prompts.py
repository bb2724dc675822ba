#!/usr/bin/env python3
"""Oracle: jinja2 renders of format-prompt templates for lib/prompts/ (docs/method.md, "Image placement" and "Pass-1 prompt").

stdin JSON: {"template": str, "contents": [str, ...]}
stdout JSON: {"jinja2_version": str, "renders": [str, ...]}

Renders exactly as EasyR1's RLHFDataset._build_messages does: jinja2.Template(template.strip())
.render(content=...). jinja2 ships with transformers.
"""
import json
import sys

import jinja2


def main() -> None:
    req = json.load(sys.stdin)
    template = jinja2.Template(req["template"].strip())
    renders = [template.render(content=c) for c in req["contents"]]
    json.dump({"jinja2_version": jinja2.__version__, "renders": renders}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
