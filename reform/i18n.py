"""Every user-facing string, in Chinese (the default) and English.

Strings are looked up by key; a key without both languages is a bug that a test
catches. Data-contract names (columns, enumerations) come from reform.datasets.
"""

from __future__ import annotations

from typing import Any

DEFAULT = "zh"
LANGUAGES = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # ------------------------------------------------------------ upload problems
    "problem.file_too_large": (
        "文件超过 {megabytes} MB，请拆分后分别上传",
        "The file is larger than {megabytes} MB; split it and upload the parts",
    ),
    "problem.empty_file": ("文件是空的", "The file is empty"),
    "problem.unsupported_type": (
        "不支持的文件类型“{suffix}”，请上传 {allowed} 文件",
        "Unsupported file type '{suffix}'; upload one of {allowed}",
    ),
    "problem.bad_encoding": (
        "无法识别文件编码，请在 Excel 中另存为“CSV UTF-8”或 CSV 后重新上传",
        "The text encoding cannot be recognised; save as 'CSV UTF-8' in Excel and upload again",
    ),
    "problem.binary_file": (
        "这不是文本表格文件（可能是改了扩展名的其他文件）",
        "This is not a text spreadsheet (perhaps another file renamed)",
    ),
    "problem.bad_csv": (
        "第 {line} 行 CSV 格式有误，请用 Excel 打开后重新另存为 CSV",
        "Row {line} is not valid CSV; open the file in Excel and save it as CSV again",
    ),
    "problem.unclosed_quote": (
        '第 {line} 行的引号没有配对（缺少结尾的 "），请检查该行',
        "The quote opened in row {line} is never closed; check that row",
    ),
    "problem.cell_too_large": (
        "第 {line} 行有一个单元格超过 {limit} 个字符，无法读取",
        "A cell in row {line} is longer than {limit} characters and cannot be read",
    ),
    "problem.no_data_rows": ("表头下面没有数据行", "There are no data rows below the header"),
    "problem.not_excel": (
        "无法作为 Excel 文件打开，文件可能已损坏",
        "The file cannot be opened as Excel; it may be damaged",
    ),
    "problem.zip_bomb": (
        "Excel 文件解压后超过 {megabytes} MB，已拒绝",
        "The Excel file unpacks to more than {megabytes} MB and was refused",
    ),
    "problem.dataset_unknown": (
        "无法根据表头识别是哪类数据，请在上传时选择数据类型",
        "The headers do not match any dataset; choose the dataset when uploading",
    ),
    "problem.dataset_ambiguous": (
        "表头同时符合多类数据（{names}），请选择数据类型",
        "The headers match several datasets ({names}); choose one",
    ),
    "problem.header_not_found": (
        "未找到“{dataset}”的表头行，表头应包含：{columns}",
        "No header row for '{dataset}' was found; it should name: {columns}",
    ),
    "problem.missing_column": ("缺少必填列“{label}”", "Required column '{label}' is missing"),
    "problem.duplicate_column": ("列“{label}”出现了两次", "Column '{label}' appears twice"),
    "problem.unknown_column": ("未知列“{header}”，已忽略", "Unknown column '{header}' was ignored"),
    "problem.totals_row": ("合计行，已跳过（不会保存）", "Totals row skipped (not stored)"),
    "problem.duplicate_key": ("与第 {first} 行重复", "Duplicates row {first}"),
    "problem.required": ("“{label}”为必填项，不能为空", "'{label}' is required and empty"),
    "problem.not_integer": ("“{label}”应为整数", "'{label}' must be a whole number"),
    "problem.fraction": ("“{label}”应为整数，不能有小数", "'{label}' must be a whole number, not a fraction"),
    "problem.below_minimum": ("“{label}”不能小于 {minimum}", "'{label}' must not be below {minimum}"),
    "problem.not_amount": (
        "“{label}”应为金额，如 250000、25万、¥250,000",
        "'{label}' must be an amount such as 250000, 25万 or ¥250,000",
    ),
    "problem.too_many_decimals": ("“{label}”最多保留两位小数（分）", "'{label}' may have at most two decimals"),
    "problem.not_date": (
        "“{label}”应为日期，如 2022-03-15 或 2022年3月15日",
        "'{label}' must be a date such as 2022-03-15",
    ),
    "problem.ambiguous_date": (
        "“{label}”日期有歧义，请写成 2022-03-15 的形式",
        "'{label}' is ambiguous; write the date as 2022-03-15",
    ),
    "problem.no_such_date": ("“{label}”不是存在的日期", "'{label}' is not a real date"),
    "problem.future_date": ("“{label}”不能晚于今天", "'{label}' must not be in the future"),
    "problem.not_period": (
        "“{label}”应为统计期，如 2022、2022-Q1、2022年第一季度、2022-03",
        "'{label}' must be a period such as 2022, 2022-Q1 or 2022-03",
    ),
    "problem.year_out_of_range": ("年份应在 {low} 至 {high} 之间", "The year must be between {low} and {high}"),
    "problem.not_year": ("“{label}”应为年份，如 2022", "'{label}' must be a year such as 2022"),
    "problem.not_round": ("“{label}”应为巡察轮次，如 第一轮 或 1", "'{label}' must be a round such as 第一轮 or 1"),
    "problem.not_bool": ("“{label}”应填 是 或 否", "'{label}' must be yes or no"),
    "problem.not_choice": ("“{label}”应为以下之一：{choices}", "'{label}' must be one of: {choices}"),
    "problem.unknown_township": (
        "“{label}”不是已配置的镇街，可选：{choices}",
        "'{label}' is not a configured township; valid: {choices}",
    ),
    "problem.unknown_city": (
        "“{label}”不是已配置的城市，可选：{choices}",
        "'{label}' is not a configured city; valid: {choices}",
    ),
    "problem.too_long": ("“{label}”超过 {max_length} 个字", "'{label}' is longer than {max_length} characters"),
    "problem.filled_above_authorized": (
        "在岗数超过核定数（{authorized}），请核实",
        "Filled is above authorised ({authorized}); please check",
    ),
    "severity.error": ("错误", "Error"),
    "severity.warning": ("提醒", "Warning"),
    # ------------------------------------------------------------ app shell
    "app.title": ("{district}基层团组织改革进展监测", "{district} grassroots League reform monitor"),
    "app.sample_banner": (
        "当前显示的是示例数据（虚构，仅供演示），上传各镇街真实报表后此提示消失。",
        "Showing SAMPLE data (invented, for demonstration); it disappears once real reports are uploaded.",
    ),
    "app.config_error": (
        "配置文件有误，程序无法启动：{error}",
        "The configuration is wrong and the app cannot start: {error}",
    ),
    "app.as_of": ("数据版本 {version} · 截至 {time}", "Data version {version} · as of {time}"),
    "app.empty": ("暂无数据。请先在“数据上传”页上传报表。", "No data yet. Upload a report on the Upload page first."),
    "sidebar.language": ("语言 / Language", "语言 / Language"),
    "sidebar.years": ("统计年度", "Years"),
    "sidebar.townships": ("镇街", "Townships"),
    "sidebar.townships_help": ("不选即为全部镇街", "Leave empty for all townships"),
    "nav.overview": ("总览", "Overview"),
    "nav.areas": ("破解“四缺”", "The four shortages"),
    "nav.data": ("数据", "Data"),
    "page.overview": ("改革总览", "Overview"),
    "page.staffing": ("队伍配备（缺人员）", "Staffing (people)"),
    "page.venues": ("青年之家（缺载体）", "Youth Homes (venues)"),
    "page.alumni": ("学子联谊会（缺载体）", "Alumni associations (venues)"),
    "page.pathways": ("团员发展与团校（缺路径）", "Members and league school (pathways)"),
    "page.funding": ("经费保障（缺政策）", "Funding (policy)"),
    "page.inspections": ("团务巡察（缺政策）", "Inspections (policy)"),
    "page.upload": ("数据上传", "Upload"),
    "page.data": ("上传记录", "Upload history"),
    # ------------------------------------------------------------ shortages and KPIs
    "area.people": ("缺人员", "People"),
    "area.venues": ("缺载体", "Venues"),
    "area.pathways": ("缺路径", "Pathways"),
    "area.policy": ("缺政策", "Policy"),
    "kpi.youth_officer_coverage": ("配齐青年助力官的镇街", "Townships with a youth assistant officer"),
    "kpi.cadre_fill_rate": ("专职团干部配备率", "Full-time cadre posts filled"),
    "kpi.secretary_vacancies": ("团组织书记空缺", "Secretary vacancies"),
    "kpi.alumni_cities": ("学子联谊会覆盖城市", "Cities with an alumni association"),
    "kpi.flagship_homes": ("青年之家旗舰店", "Youth Home flagships"),
    "kpi.specialty_coverage": ("建有专营店的镇街", "Townships with a specialty Youth Home"),
    "kpi.member_development_rate": ("团员发展计划完成率", "New members admitted vs plan"),
    "kpi.league_school_coverage": ("中学团校分校覆盖率", "Middle schools with a league-school branch"),
    "kpi.funding_per_capita": ("青少年发展经费（人均）", "Youth funding per capita"),
    "kpi.funding_coverage": ("人均经费达标的镇街", "Townships meeting the per-capita standard"),
    "kpi.units_inspected": ("已开展团务巡察单位", "Units inspected"),
    "kpi.rectification_rate": ("巡察问题整改率", "Findings rectified"),
    "kpi.reform_pilot_funds": ("改革试点专项经费", "Reform pilot special funds"),
    "kpi.target": ("目标 {target}", "Target {target}"),
    "kpi.no_target": ("无考核目标", "No target"),
    "kpi.no_data": ("无数据", "No data"),
    "kpi.vs_previous": ("较上年", "vs previous year"),
    "status.green": ("达标", "On target"),
    "status.amber": ("接近", "Close"),
    "status.red": ("未达标", "Behind"),
    "status.none": ("无数据", "No data"),
    "status.info": ("参考", "Info"),
    "unit.yuan": ("{value} 元", "¥{value}"),
    "unit.yuan_per_capita": ("{value} 元/人", "¥{value} per person"),
    "unit.count": ("{value}", "{value}"),
    "unit.of": ("{value}/{total}", "{value} of {total}"),
    "overview.league_table": ("镇街排行", "Township league table"),
    "overview.league_help": (
        "按达标项数排序；每项目标见配置文件。",
        "Sorted by targets met; targets are set in the configuration.",
    ),
    "overview.met": ("达标项", "Targets met"),
    "overview.scorecard": ("“四缺”攻坚记分卡", "Four shortages scorecard"),
    # ------------------------------------------------------------ charts
    "chart.target": ("目标", "Target"),
    "chart.township": ("镇街", "Township"),
    "chart.year": ("年度", "Year"),
    "chart.period": ("统计期", "Period"),
    "chart.count": ("数量", "Count"),
    "chart.rate": ("比例", "Rate"),
    "chart.yuan": ("金额（元）", "Amount (yuan)"),
    "chart.yuan_per_capita": ("人均（元/人）", "Per capita (yuan)"),
    "chart.filled": ("在岗", "Filled"),
    "chart.vacant": ("空缺", "Vacant"),
    "chart.authorized": ("核定", "Authorised"),
    "chart.cadres_filled": ("专职团干部在岗", "Full-time cadres in post"),
    "chart.officers_filled": ("青年助力官在岗", "Youth assistant officers in post"),
    "chart.staffing_by_township": (
        "各镇街专职团干部与青年助力官在岗情况",
        "Full-time cadres and youth assistant officers by township",
    ),
    "chart.vacancies_by_township": ("各镇街团组织书记空缺", "Secretary vacancies by township"),
    "chart.staffing_trend": ("全区在岗人数变化", "People in post over time"),
    "chart.homes_by_tier": ("青年之家数量（按类型）", "Youth Homes by tier"),
    "chart.homes_by_township": ("各镇街青年之家", "Youth Homes by township"),
    "chart.homes_activity": ("青年之家活动场次与服务人次", "Youth Home activities and participants"),
    "chart.alumni_map": ("学子联谊会城市分布", "Alumni associations by city"),
    "chart.alumni_members": ("各城市联谊会会员与活动", "Members and events by city"),
    "chart.covered": ("已建立", "Covered"),
    "chart.not_covered": ("未建立", "Not covered"),
    "chart.home_district": ("本区", "Home district"),
    "chart.members": ("会员人数", "Members"),
    "chart.events": ("活动场次", "Events"),
    "chart.development_by_township": ("各镇街团员发展完成率", "Member development vs plan by township"),
    "chart.development_trend": ("全区团员发展：计划与实际", "Members planned and admitted"),
    "chart.planned": ("计划", "Planned"),
    "chart.admitted": ("实际", "Admitted"),
    "chart.schools": ("中学团校分校", "Middle-school league-school branches"),
    "chart.with_school": ("已建分校", "With a branch"),
    "chart.without_school": ("未建分校", "Without a branch"),
    "chart.per_capita_by_township": ("各镇街人均青少年发展经费", "Youth funding per capita by township"),
    "chart.special_funds": ("改革试点专项经费", "Reform pilot special funds"),
    "chart.funding_trend": ("全区人均青少年发展经费", "District youth funding per capita"),
    "chart.inspected_by_round": ("各轮次巡察单位数（累计）", "Units inspected by round (cumulative)"),
    "chart.inspected_by_type": ("巡察单位类型", "Inspected units by type"),
    "chart.rectification": ("问题整改情况", "Rectification of findings"),
    "chart.round": ("巡察轮次", "Round"),
    "chart.round_label": ("第{round}轮", "Round {round}"),
    "chart.cumulative": ("累计", "Cumulative"),
    "chart.findings": ("问题数", "Findings"),
    "chart.no_data": ("所选范围内无数据", "No data in the selected range"),
    # ------------------------------------------------------------ upload page
    "upload.intro": (
        "上传本镇街的统计表（CSV 或 Excel）。先检查，无错误后再确认保存；同一统计期重新上传会替换原数据，原数据保留在上传记录中。",
        "Upload your township's report (CSV or Excel). It is checked first; commit when it has no errors. A re-upload replaces the same period; the earlier version stays in the history.",
    ),
    "upload.dataset": ("数据类型", "Dataset"),
    "upload.auto": ("自动识别", "Recognise from headers"),
    "upload.file": ("选择文件", "Choose a file"),
    "upload.rows_read": ("读取行数", "Rows read"),
    "upload.rows_valid": ("可保存行数", "Rows to store"),
    "upload.rows_skipped": ("跳过行数", "Rows skipped"),
    "upload.errors": ("错误", "Errors"),
    "upload.ok": (
        "检查通过：可以保存 {rows} 行“{dataset}”数据。",
        "Check passed: {rows} rows of '{dataset}' can be stored.",
    ),
    "upload.has_errors": (
        "文件有 {count} 处错误，未保存任何数据。请修改后重新上传。",
        "The file has {count} errors; nothing was stored. Fix them and upload again.",
    ),
    "upload.problems": ("问题清单", "Problems"),
    "upload.commit": ("确认保存", "Commit"),
    "upload.committed": (
        "已保存：第 {batch} 批，{rows} 行，替换了 {replaced} 行旧数据。",
        "Stored as batch {batch}: {rows} rows, replacing {replaced} earlier rows.",
    ),
    "upload.duplicate": (
        "这个文件已经上传过（第 {batch} 批），未重复保存。",
        "This file was uploaded before (batch {batch}); nothing new was stored.",
    ),
    "upload.uploader": ("上传人", "Uploaded by"),
    "upload.download_problems": ("下载问题清单（Excel）", "Download the problems (Excel)"),
    "upload.changes": ("保存后的变化", "What the commit changes"),
    "upload.replaces": (
        "将替换 {slices} 个已有统计范围的数据；被替换的数据保留在上传记录中，可以恢复。",
        "This replaces data in {slices} existing slices; the replaced rows stay in the history and can be restored.",
    ),
    "upload.templates": ("下载填报模板", "Download report templates"),
    "col.slice": ("统计范围", "Slice"),
    "col.rows_now": ("现有行数", "Rows now"),
    "col.rows_new": ("文件行数", "Rows in file"),
    "col.added": ("新增", "Added"),
    "col.removed": ("删除", "Removed"),
    "col.changed": ("修改", "Changed"),
    "col.severity": ("类别", "Severity"),
    "col.row": ("行号", "Row"),
    "col.column": ("列", "Column"),
    "col.value": ("内容", "Value"),
    "col.message": ("说明", "Message"),
    # ------------------------------------------------------------ data page
    "data.intro": (
        "每次上传都是一批数据；被替换的数据保留在历史中。",
        "Every upload is a batch; replaced rows stay in the history.",
    ),
    "data.none": ("还没有上传记录。", "No uploads yet."),
    "data.current_rows": ("当前有效行", "Current rows"),
    "data.choose": ("查看某一批", "Look at a batch"),
    "data.slices": ("第 {batch} 批写入的统计范围", "Slices written by batch {batch}"),
    "data.restore_slice": ("恢复这一批中已被替换的统计范围", "Restore a replaced slice of this batch"),
    "data.restore": ("恢复此版本", "Restore this version"),
    "data.restored": (
        "已恢复：记为第 {batch} 批，{rows} 行重新生效。",
        "Restored as batch {batch}: {rows} rows are current again.",
    ),
    "data.undo": ("撤销这一批（恢复它替换掉的数据）", "Roll back this batch (bring back what it replaced)"),
    "data.undone": (
        "已撤销：记为第 {batch} 批，恢复了 {rows} 行旧数据。",
        "Rolled back as batch {batch}: {rows} earlier rows are current again.",
    ),
    "data.rows": ("这一批的全部行", "Every row of this batch"),
    "kind.upload": ("上传", "Upload"),
    "kind.restore": ("恢复", "Restore"),
    "kind.rollback": ("撤销", "Roll back"),
    "col.kind": ("类型", "Kind"),
    "col.slices": ("统计范围", "Slices"),
    "col.rows_replaced": ("替换行数", "Rows replaced"),
    "col.source_row": ("原文件行号", "Row in file"),
    "col.replaced_by": ("被第几批替换", "Replaced by batch"),
    "col.batch_id": ("批次", "Batch"),
    "col.dataset": ("数据类型", "Dataset"),
    "col.file_name": ("文件名", "File"),
    "col.uploaded_by": ("上传人", "By"),
    "col.uploaded_at": ("上传时间", "When"),
    "col.rows_stored": ("行数", "Rows"),
    "col.current_rows": ("当前有效", "Current"),
    "col.is_sample": ("示例数据", "Sample"),
    "col.content_hash": ("文件指纹", "Content hash"),
    "col.township": ("镇街", "Township"),
    "col.met": ("达标项", "Targets met"),
    "col.officers": ("青年助力官（人）", "Youth officers"),
    "col.cadre_fill_rate": ("专职团干部配备率", "Cadre posts filled"),
    "col.secretary_vacancies": ("书记空缺（个）", "Secretary vacancies"),
    "col.specialty_homes": ("专营店（个）", "Specialty homes"),
    "col.member_development_rate": ("团员发展完成率", "Members vs plan"),
    "col.funding_per_capita": ("人均经费（元）", "Funding per capita (yuan)"),
    "col.cadre_authorized": ("专职团干部核定数", "Cadre posts authorised"),
    "col.cadre_filled": ("专职团干部在岗数", "Cadres in post"),
    "col.officer_filled": ("青年助力官在岗数", "Youth officers in post"),
    "col.secretary_authorized": ("团组织数", "Branches"),
    "col.secretary_vacant": ("书记空缺数", "Secretary vacancies"),
    "col.amount": ("青少年发展专项经费（元）", "Youth development funds (yuan)"),
    "col.population": ("青少年人数", "Youth population"),
    "col.per_capita": ("人均（元）", "Per capita (yuan)"),
    "details.staffing": ("各镇街明细", "Details by township"),
    "details.venues": ("青年之家明细", "Youth Homes in detail"),
    "details.alumni": ("各城市联谊会明细", "Associations by city"),
    "details.pathways": ("各单位团员发展明细", "Member development by unit"),
    "details.funding": ("各镇街经费明细", "Funding by township"),
    "details.inspections": ("巡察后新建团组织的单位", "Units that set up a league organisation after inspection"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    # ------------------------------------------------------------ completeness
    "page.completeness": ("报送情况", "Reporting completeness"),
    "completeness.intro": (
        "各镇街应报的报表、是否按时报送。到期规则见配置文件 reporting 一节。",
        "Which reports each township owes and whether they came in on time; the rules are in the configuration's reporting section.",
    ),
    "completeness.dataset": ("报表", "Report"),
    "completeness.matrix": ("报送矩阵", "Reporting matrix"),
    "completeness.missing": ("缺报清单", "Missing reports"),
    "completeness.none_missing": ("所选范围内没有逾期未报的报表。", "No overdue reports in the selected range."),
    "completeness.reminder": ("催报通知（可直接复制）", "Reminder (ready to copy)"),
    "completeness.reminder_head": (
        "各镇街团委：截至{date}，{district}仍有 {count} 份报表逾期未报，请尽快通过改革进展监测平台上传：",
        "To the township League committees: as of {date}, {count} reports for {district} are overdue. Please upload them on the Reform Progress Monitor:",
    ),
    "completeness.reminder_line": ("{township}：{items}", "{township}: {items}"),
    "completeness.reminder_tail": ("如有困难请与{committee}联系。", "If you need help, contact the {committee}."),
    "completeness.reminder_none": (
        "截至{date}，所有应报报表均已报送。",
        "As of {date}, every report that is due has come in.",
    ),
    "status.on_time": ("按时", "On time"),
    "status.late": ("逾期报送", "Late"),
    "status.missing": ("未报", "Missing"),
    "status.pending": ("未到期", "Not due"),
    "col.period": ("统计期", "Period"),
    "col.due": ("截止日期", "Due"),
    "col.submitted": ("报送时间", "Submitted"),
    "col.status": ("状态", "Status"),
    "col.days_overdue": ("逾期天数", "Days overdue"),
    # ------------------------------------------------------------ command line
    "cli.stored": (
        "已保存第 {batch} 批：{rows} 行（替换 {replaced} 行）",
        "Stored batch {batch}: {rows} rows (replaced {replaced})",
    ),
    "cli.duplicate": (
        "同一文件已保存为第 {batch} 批，未重复保存",
        "Same file already stored as batch {batch}; nothing stored",
    ),
    "cli.sample_loaded": (
        "已载入示例数据：{files} 个文件，{rows} 行",
        "Sample data loaded: {files} files, {rows} rows",
    ),
    "cli.sample_skipped": ("数据库非空，未载入示例数据", "The store is not empty; sample data not loaded"),
}


def t(key: str, lang: str = DEFAULT, **params: Any) -> str:
    """The string for ``key`` in ``lang`` with ``params`` filled in."""
    pair = MESSAGES.get(key)
    if pair is None:
        raise KeyError(f"no UI string {key!r}")
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**params) if params else text


def label(obj: Any, lang: str = DEFAULT) -> str:
    """The label of a dataset or column from the contract, in the user's language."""
    return obj.en if lang == "en" else obj.zh


def choice(column: Any, code: str, lang: str = DEFAULT) -> str:
    """An enumeration value's label (Chinese) or code (English)."""
    return column.choice_label(code) if lang != "en" else code.replace("_", " ")
