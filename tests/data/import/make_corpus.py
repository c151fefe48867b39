#!/usr/bin/env python3
"""Writes the import corpus (issue 18): files shaped like the ones zone staff really have.

    python3 tests/data/import/make_corpus.py   # rewrites the files beside this script

Every file holds the same project list for the qingyuan-investment workflow, written the
awkward ways people and programs write it: a 序号 column, trailing empty header cells, NBSP
and ideographic spaces, full-width digits, Chinese dates, amounts in 亿/万/元.

- gb18030_crlf.csv  Excel "CSV (逗号分隔)" on Chinese Windows: GB18030, CRLF, no BOM.
- utf8_bom.csv      Excel "CSV UTF-8": a byte order mark, CRLF.
- libreoffice.xlsx  shaped like LibreOffice Calc's output: shared strings (with a rich-text
                    run and a phonetic run), custom number formats YYYY-MM-DD and 0.00%,
                    a currency format, empty styled cells, a second sheet.
- python_writer.xlsx shaped like XlsxWriter in constant-memory mode (and openpyxl's cells):
                    inline strings, built-in date format 14 and a custom 年月日 format,
                    cells and rows without r, a sparse row, a formula string, an error
                    cell (#N/A), _x000D_ escapes.
- mac_1904.xlsx     the 1904 date system (old Mac Excel), a hidden first sheet.
- hostile/          broken and hostile files (a zip bomb, a DTD with entities, deep XML, a
                    column beyond the limit, a truncated zip, an old .xls, UTF-16 ...).

The zip entries carry a fixed timestamp so that the files only change when this script does.
No network, no third-party modules: zipfile and hand-written XML.
"""

import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NBSP = "\u00a0"
IDEOGRAPHIC_SPACE = "\u3000"

HEADER = ["序号", "项目名称", "所属产业", "计划总投资（万元）", "用地面积（亩）", "协议签订日期",
          "优先引入项目", "建筑系数（%）", "", ""]

# The rows as a person types them into a CSV (text only).
CSV_ROWS = [
    ["1", "清远新材料产业园项目" + NBSP, "新材料", "1.2亿", "50", "2026年3月2日", "是", "45%", "", ""],
    ["2", IDEOGRAPHIC_SPACE + "高端电子信息制造基地", "高端电子信息制造", "1200万", "１２０",
     "2026/3/2", "否", "38.5", "", ""],
    ["3", "装备制造\"智造\"中心", "高端装备制造及智能制造装备", "￥1,200.50", "30.5", "2026.3.15",
     "是", "", "", ""],
    ["4", "生物医药, 医疗器械项目", "生物医药及高性能医疗器械制造", "１２００．５", "", "2026-03-02",
     "否", "40", "", ""],
    ["5", "=1+2 公式样的名称", "其他", "1，200", "8", "20260302", "否", "", "", ""],
]


def csv_field(text):
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(rows):
    # Our own export protects a leading = with ' (storage/csv.hpp); Excel writes it bare.
    return "".join(",".join(csv_field(cell) for cell in row) + "\r\n" for row in rows)


def write_csvs():
    rows = [HEADER] + CSV_ROWS
    with open(os.path.join(HERE, "gb18030_crlf.csv"), "wb") as out:
        out.write(csv_text(rows).encode("gb18030"))
    with open(os.path.join(HERE, "utf8_bom.csv"), "wb") as out:
        out.write(b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8"))


def xml_escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"""

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"""

CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{creator}</dc:creator></cp:coreProperties>"""

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_zip(name, parts):
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part_name, text in parts:
            info = zipfile.ZipInfo(part_name, date_time=(2026, 3, 2, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))


def workbook_parts(sheets, date1904, creator, extra_overrides=""):
    """The parts every workbook has; `sheets` is [(name, state or None)]."""
    sheet_xml = "".join(
        '<sheet name="{}" sheetId="{}"{} r:id="rId{}"/>'.format(
            xml_escape(name), i + 1, ' state="{}"'.format(state) if state else "", i + 3)
        for i, (name, state) in enumerate(sheets))
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="{}" xmlns:r="{}"><workbookPr date1904="{}"/>'
                '<bookViews><workbookView activeTab="0"/></bookViews><sheets>{}</sheets>'
                '</workbook>').format(NS_MAIN, NS_REL, date1904, sheet_xml)
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="{rel}/styles" Target="styles.xml"/>'
            '<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            .format(rel=NS_REL))
    for i in range(len(sheets)):
        rels += ('<Relationship Id="rId{}" Type="{}/worksheet" '
                 'Target="worksheets/sheet{}.xml"/>').format(i + 3, NS_REL, i + 1)
    rels += "</Relationships>"
    overrides = "".join(
        '<Override PartName="/xl/worksheets/sheet{}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'.format(i + 1)
        for i in range(len(sheets))) + extra_overrides
    return [
        ("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides)),
        ("_rels/.rels", ROOT_RELS),
        ("docProps/core.xml", CORE.format(creator=creator)),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
    ]


def sheet_xml(rows_xml, extra_head=""):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="{}" xmlns:r="{}">{}<sheetData>{}</sheetData></worksheet>'
            ).format(NS_MAIN, NS_REL, extra_head, rows_xml)


# ---------------------------------------------------------------------------------------
# LibreOffice Calc: shared strings, custom formats numbered from 164, every cell with r=.


class SharedStrings:
    def __init__(self):
        self.items = []  # the <si> bodies
        self.index = {}

    def plain(self, text):
        body = '<t xml:space="preserve">{}</t>'.format(xml_escape(text))
        return self.add(body)

    def add(self, body):
        if body not in self.index:
            self.index[body] = len(self.items)
            self.items.append(body)
        return self.index[body]

    def xml(self):
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<sst xmlns="{}" count="{}" uniqueCount="{}">{}</sst>').format(
                    NS_MAIN, len(self.items), len(self.items),
                    "".join("<si>{}</si>".format(body) for body in self.items))


def libreoffice():
    strings = SharedStrings()
    # Styles: 0 default, 1 date YYYY-MM-DD (164), 2 0.00% (built-in 10), 3 currency (165),
    # 4 bold header (General).
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<styleSheet xmlns="{}"><numFmts count="2">'
              '<numFmt numFmtId="164" formatCode="YYYY\\-MM\\-DD"/>'
              '<numFmt numFmtId="165" formatCode="&quot;¥&quot;#,##0.00;[RED]\\-&quot;¥&quot;#,##0.00"/>'
              '</numFmts><fonts count="1"><font><sz val="10"/><name val="Noto Sans CJK SC"/></font></fonts>'
              '<cellStyleXfs count="1"><xf numFmtId="164" fontId="0"/></cellStyleXfs>'
              '<cellXfs count="5"><xf numFmtId="0" fontId="0" xfId="0"/>'
              '<xf numFmtId="164" fontId="0" xfId="0" applyNumberFormat="true"/>'
              '<xf numFmtId="10" fontId="0" xfId="0" applyNumberFormat="true"/>'
              '<xf numFmtId="165" fontId="0" xfId="0" applyNumberFormat="true"/>'
              '<xf numFmtId="0" fontId="0" xfId="0"/></cellXfs></styleSheet>').format(NS_MAIN)

    def s(ref, text, style=0):
        return '<c r="{}" s="{}" t="s"><v>{}</v></c>'.format(ref, style, strings.plain(text))

    def n(ref, value, style=0):
        return '<c r="{}" s="{}" t="n"><v>{}</v></c>'.format(ref, style, value)

    def row(r, cells):
        return ('<row r="{}" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
                'outlineLevel="0" collapsed="false">{}</row>').format(r, "".join(cells))

    header = [s(chr(ord("A") + i) + "1", text, 4) for i, text in enumerate(HEADER[:8])]
    header += ['<c r="I1" s="4"/>', '<c r="J1" s="4"/>']  # trailing empty header cells
    rich = strings.add('<r><rPr><b val="true"/></rPr><t xml:space="preserve">清远</t></r>'
                       '<r><t xml:space="preserve">新材料产业园项目' + NBSP + '</t></r>'
                       '<rPh sb="0" eb="2"><t>チンユエン</t></rPh>')
    rows = [
        row(1, header),
        row(2, [n("A2", 1), '<c r="B2" s="0" t="s"><v>{}</v></c>'.format(rich), s("C2", "新材料"),
                n("D2", 12000, 3), n("E2", 50), n("F2", 46083, 1), '<c r="G2" s="0" t="b"><v>1</v></c>',
                n("H2", 0.45, 2), '<c r="I2" s="0"/>']),
        row(3, [n("A3", 2), s("B3", IDEOGRAPHIC_SPACE + "高端电子信息制造基地"), s("C3", "高端电子信息制造"),
                s("D3", "1200万"), n("E3", 120), s("F3", "2026年3月2日"),
                '<c r="G3" s="0" t="b"><v>0</v></c>', n("H3", 0.385, 2)]),
        # row 4 left empty on purpose (a blank line between projects)
        row(5, [n("A5", 3), s("B5", '装备制造"智造"中心'), s("C5", "高端装备制造及智能制造装备"),
                n("D5", 1200.5, 3), n("E5", 30.5), n("F5", 46096, 1),
                '<c r="G5" s="0" t="str"><f>IF(D5&gt;1000,"是","否")</f><v>是</v></c>', s("H5", "   ")]),
        row(6, [n("A6", 4), s("B6", "生物医药, 医疗器械项目"), s("C6", "生物医药及高性能医疗器械制造"),
                s("D6", "1.2亿"), n("F6", 46083), s("G6", "否"), n("H6", 0.4, 2)]),
        row(7, ['<c r="A7" s="0"/>', '<c r="B7" s="0"/>', '<c r="C7" s="0"/>']),  # styled, empty
    ]
    sheet1 = sheet_xml("".join(rows),
                       '<sheetPr filterMode="false"><pageSetUpPr fitToPage="false"/></sheetPr>'
                       '<dimension ref="A1:J7"/><sheetViews><sheetView tabSelected="true">'
                       '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                       '</sheetView></sheetViews><cols><col min="1" max="1" width="6"/></cols>')
    sheet2 = sheet_xml(row(1, [s("A1", "说明"), s("B1", "本表由招商部维护")]))
    parts = workbook_parts([("项目清单", None), ("说明", None)], "false", "LibreOffice")
    parts += [("xl/styles.xml", styles), ("xl/sharedStrings.xml", strings.xml()),
              ("xl/worksheets/sheet1.xml", sheet1), ("xl/worksheets/sheet2.xml", sheet2)]
    write_zip("libreoffice.xlsx", parts)


# ---------------------------------------------------------------------------------------
# XlsxWriter (constant_memory) / openpyxl: inline strings, built-in format 14, sparse rows.


def python_writer():
    # Styles: 0 default, 1 built-in 14 (m/d/yyyy shown per locale), 2 custom 年月日 (164),
    # 3 percent 9.
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<styleSheet xmlns="{}"><numFmts count="1">'
              '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
              '</numFmts><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
              '<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
              '</cellXfs></styleSheet>').format(NS_MAIN)

    def i(ref, text):
        r = ' r="{}"'.format(ref) if ref else ""
        return '<c{} t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>'.format(
            r, xml_escape(text))

    def n(ref, value, style=0):
        r = ' r="{}"'.format(ref) if ref else ""
        s = ' s="{}"'.format(style) if style else ""
        return '<c{}{}><v>{}</v></c>'.format(r, s, value)

    header = "".join(i(chr(ord("A") + k) + "1", text) for k, text in enumerate(HEADER[:8]))
    header += i("I1", "") + i("J1", " ")  # trailing header cells of nothing and a blank
    rows = [
        '<row r="1" spans="1:10">{}</row>'.format(header),
        # cells without r: each follows the one before
        '<row r="2">{}</row>'.format("".join([
            n(None, 1), i(None, "清远新材料产业园项目" + NBSP), i(None, "新材料"), n(None, 12000),
            n(None, 50), n(None, 46083, 1), '<c t="b"><v>1</v></c>', n(None, 0.45, 3)])),
        # a row without r follows row 2
        '<row>{}</row>'.format("".join([
            n("A3", 2), i("B3", "高端电子信息制造基地\u200b"), i("C3", "高端电子信息制造"),
            i("D3", "1200万"), i("E3", "１２０"), n("F3", 46083, 2), i("G3", "否"),
            n("H3", 38.5)])),
        # sparse: rows 4-9 absent; cells skip columns
        '<row r="10">{}</row>'.format("".join([
            n("A10", 3), i("B10", "装备制造_x000D_\n二期"), i("C10", "高端装备制造及智能制造装备"),
            '<c r="D10" t="str"><f>1200.5*1</f><v>1200.5</v></c>', n("F10", 46096.75, 1),
            '<c r="H10" t="e"><f>VLOOKUP(A10,X:Y,2,0)</f><v>#N/A</v></c>'])),
        '<row r="11">{}</row>'.format("".join([
            n("A11", 4), '<c r="B11" t="inlineStr"><is><r><t>生物医药</t></r><r><rPr><b/></rPr>'
            '<t xml:space="preserve">, 医疗器械项目</t></r></is></c>',
            i("C11", "生物医药及高性能医疗器械制造"), i("D11", "1.2亿"), n("F11", 46083.0),
            '<c r="G11" t="b"><v>0</v></c>', n("H11", "4.0E-1", 3)])),
    ]
    sheet1 = sheet_xml("".join(rows), '<dimension ref="A1:J11"/>')
    parts = workbook_parts([("Sheet1", None)], "0", "XlsxWriter")
    parts += [("xl/styles.xml", styles),
              ("xl/sharedStrings.xml",
               '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<sst xmlns="{}" count="0" uniqueCount="0"/>'.format(NS_MAIN)),
              ("xl/worksheets/sheet1.xml", sheet1)]
    write_zip("python_writer.xlsx", parts)


# ---------------------------------------------------------------------------------------
# Old Mac Excel: the 1904 date system; the first sheet hidden.


def mac_1904():
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<styleSheet xmlns="{}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
              '</cellXfs></styleSheet>').format(NS_MAIN)
    strings = SharedStrings()

    def s(ref, text):
        return '<c r="{}" t="s"><v>{}</v></c>'.format(ref, strings.plain(text))

    hidden = sheet_xml('<row r="1">{}</row>'.format(s("A1", "隐藏的辅助表")))
    data = sheet_xml('<row r="1">{}{}</row><row r="2">{}<c r="B2" s="1"><v>44621</v></c></row>'
                     .format(s("A1", "项目名称"), s("B1", "协议签订日期"), s("A2", "苹果电脑录入的项目")))
    parts = workbook_parts([("辅助", "hidden"), ("项目", None)], "1", "Microsoft Macintosh Excel")
    parts += [("xl/styles.xml", styles), ("xl/sharedStrings.xml", strings.xml()),
              ("xl/worksheets/sheet1.xml", hidden), ("xl/worksheets/sheet2.xml", data)]
    write_zip("mac_1904.xlsx", parts)


# ---------------------------------------------------------------------------------------
# Hostile and broken files (hostile/): each must give a clear error, never a crash.


def minimal_workbook(path, sheet, workbook_prefix=""):
    parts = workbook_parts([("S", None)], "0", "hostile")
    parts = [(name, text.replace('<workbook ', workbook_prefix + '<workbook ', 1)
              if name == "xl/workbook.xml" else text) for name, text in parts]
    parts += [("xl/sharedStrings.xml", SharedStrings().xml()), ("xl/worksheets/sheet1.xml", sheet)]
    write_zip(os.path.join("hostile", path), parts)


def hostile():
    os.makedirs(os.path.join(HERE, "hostile"), exist_ok=True)
    # 3 MiB of blanks compress to a few KiB: a small zip bomb.
    minimal_workbook("bomb.xlsx", sheet_xml(" " * (3 << 20)))
    minimal_workbook("dtd.xlsx", sheet_xml(""),
                     '<!DOCTYPE workbook [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n')
    minimal_workbook("deep.xlsx", sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is>' + "<r>" * 100 +
                                            "</r>" * 100 + "</is></c></row>"))
    minimal_workbook("wide.xlsx", sheet_xml('<row r="1"><c r="XFD1"><v>1</v></c></row>'))
    minimal_workbook("tall.xlsx", sheet_xml('<row r="2000000"><c r="A2000000"><v>1</v></c></row>'))
    minimal_workbook("bad_shared.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'
                                                  '<row r="2"><c r="B2" t="s"><v>99</v></c></row>'))
    minimal_workbook("bad_xml.xlsx", sheet_xml('<row r="1"><c r="A1"><v>1</c></row>'))
    write_zip(os.path.join("hostile", "not_workbook.xlsx"), [("readme.txt", "hello")])
    with open(os.path.join(HERE, "libreoffice.xlsx"), "rb") as whole:
        truncated = whole.read()[:1500]
    with open(os.path.join(HERE, "hostile", "truncated.xlsx"), "wb") as out:
        out.write(truncated)
    with open(os.path.join(HERE, "hostile", "renamed.xlsx"), "wb") as out:
        out.write("项目名称\r\n甲\r\n".encode("utf-8"))
    with open(os.path.join(HERE, "hostile", "old.xls"), "wb") as out:
        out.write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with open(os.path.join(HERE, "hostile", "utf16.csv"), "wb") as out:
        out.write("项目名称\r\n甲\r\n".encode("utf-16"))
    with open(os.path.join(HERE, "hostile", "unclosed_quote.csv"), "wb") as out:
        out.write("项目名称,所属产业\r\n\"甲,新材料\r\n".encode("utf-8"))


if __name__ == "__main__":
    write_csvs()
    libreoffice()
    python_writer()
    mac_1904()
    hostile()
