"""JUnit XML: one test case per entry and per gate (and one per failing file-level check).

Guarantees: a test case fails exactly when the corresponding entry/gate/check did not pass; the failure
message is the verdict's one-line explanation. A file that could not be read is one test case ``read`` with
an ``<error>`` (counted in ``errors``) carrying the error line. Built with ``xml.etree`` (markup escaping is
the library's); every text and attribute then goes through :func:`audit.escape.xml_text`, so the document is
well-formed XML 1.0 whatever characters an entry id or path holds.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from audit.escape import xml_text
from audit.verify.verdicts import FileReport, Severity


def _only_xml_characters(root: ET.Element) -> None:
    for el in root.iter():
        if el.text is not None:
            el.text = xml_text(el.text)
        for name, value in el.attrib.items():
            el.set(name, xml_text(value))


def render_junit(reports: Sequence[FileReport]) -> str:
    suites = ET.Element("testsuites", name="audit verify")
    total = failures = errors = 0
    for rep in reports:
        suite = ET.SubElement(suites, "testsuite", name=rep.path)
        if rep.error is not None:  # unreadable: one test case in error, nothing else was checked
            case = ET.SubElement(suite, "testcase", classname=f"{rep.path}.file", name="read")
            ET.SubElement(case, "error", message=rep.error, type="input-error")
            suite.set("tests", "1")
            suite.set("failures", "0")
            suite.set("errors", "1")
            total += 1
            errors += 1
            continue
        n_cases = n_fail = 0
        checks = [f for f in rep.findings if f.severity == Severity.ERROR]
        case = ET.SubElement(suite, "testcase", classname=f"{rep.path}.file", name="signature-and-protocol")
        n_cases += 1
        if checks:
            n_fail += 1
            fail = ET.SubElement(case, "failure", message=checks[0].message, type=checks[0].rule)
            fail.text = "\n".join(f"[{f.rule}] {f.pointer or '/'}: {f.message}" for f in checks)
        for e in rep.entries:
            case = ET.SubElement(
                suite, "testcase", classname=f"{rep.path}.entries", name=f"entry {e.index} ({e.id})"
            )
            n_cases += 1
            if not e.passed:
                n_fail += 1
                msg = f"{e.verdict}: {e.explain()}"
                fail = ET.SubElement(case, "failure", message=msg, type=str(e.verdict))
                fail.text = "\n".join(f"[{f.rule}] {f.pointer}: {f.message}" for f in e.findings)
            else:
                out = ET.SubElement(case, "system-out")
                out.text = f"{e.verdict}: {e.explain()}"
        for g in rep.gates:
            case = ET.SubElement(suite, "testcase", classname=f"{rep.path}.gates", name=g.name)
            n_cases += 1
            if not g.passed:
                n_fail += 1
                ET.SubElement(case, "failure", message=g.message, type="policy-gate")
        suite.set("tests", str(n_cases))
        suite.set("failures", str(n_fail))
        suite.set("errors", "0")
        total += n_cases
        failures += n_fail
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    _only_xml_characters(suites)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
