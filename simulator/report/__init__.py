"""The deliverability report: a run's JSON rendered as one self-contained HTML page
(html.py, with svg.py's charts), and two runs compared (diff.py). Pure; command.py is the
shell behind `sms-simulator report` and `sms-simulator diff`.
"""

from simulator.report.html import render

__all__ = ["render"]
