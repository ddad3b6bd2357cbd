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
    "problem.too_many_columns": (
        "第 {line} 行超过允许的 {limit} 列，已拒绝（请只保留模板中的列）",
        "Row {line} has more than the {limit} columns allowed; refused (keep the template's columns only)",
    ),
    "problem.sheet_too_wide": (
        "工作表声明了 {columns} 列，超过允许的 {limit} 列，已拒绝（请把数据复制到新的工作表后另存）",
        "The sheet declares {columns} columns, more than the {limit} allowed; refused (copy the data to a new sheet)",
    ),
    "problem.sheet_too_large": (
        "表格范围过大（超过 {limit} 个单元格），已拒绝（请删除表格远端的空白或多余单元格后另存）",
        "The sheet's range is too large (over {limit} cells); refused (delete stray cells far from the data and save again)",
    ),
    "problem.unreadable": (
        "文件无法读取（{reason}），已拒绝；请用 Excel 或 WPS 打开后另存为新文件再上传",
        "The file cannot be read ({reason}) and was refused; open it in Excel or WPS, save it as a new file and upload",
    ),
    "problem.excel_broken_xml": (
        "Excel 文件内部结构已损坏，无法读取，请用 Excel 或 WPS 打开后另存为新文件",
        "The Excel file's inner structure is damaged; open it in Excel or WPS and save it as a new file",
    ),
    "problem.readers_busy": (
        "服务器正在读取其他镇街的 Excel 文件，已排队 {seconds} 秒仍未轮到，请稍后重新上传（或另存为 CSV 上传，无需排队）",
        "The server is reading other townships' Excel files and this one waited {seconds} s without its turn; upload "
        "it again shortly (or save it as CSV, which does not queue)",
    ),
    "problem.excel_timeout": (
        "读取该 Excel 文件超过 {seconds} 秒，已停止并拒绝，请另存为 CSV 后上传",
        "Reading this Excel file took more than {seconds} seconds; stopped and refused (save it as CSV and upload)",
    ),
    "problem.excel_too_demanding": (
        "读取该 Excel 文件需要的内存或时间超出限制（{megabytes} MB / {seconds} 秒），已拒绝；文件可能已损坏或含有大量空白单元格",
        "Reading this Excel file needs more than {megabytes} MB or {seconds} s; refused (it may be damaged or hold far-off cells)",
    ),
    "problem.future_period": (
        "{label}“{period}”尚未开始，不能上报（请上报已开始的统计期）",
        "{label} '{period}' has not started yet and cannot be reported",
    ),
    "problem.dataset_unknown": (
        "无法根据表头识别是哪类数据，请在上传时选择数据类型",
        "The headers do not match any dataset; choose the dataset when uploading",
    ),
    "problem.dataset_nearest": (
        "无法根据表头识别是哪类数据。最接近“{dataset}”：缺少列 {missing}；无法识别的列 {unknown}。"
        "请按“{dataset}”模板修改表头后上传，或在上方选择数据类型",
        "The headers match no dataset. Closest is '{dataset}': missing {missing}; not recognised {unknown}. "
        "Fix the headers as in its template, or choose the dataset above",
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
    "problem.too_large": (
        "“{label}”的数值过大（不能超过 {maximum}），请检查是否多输了数字",
        "'{label}' is too large (at most {maximum}); check for extra digits",
    ),
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
    "problem.check_hard": ("{where}{rule_text}（{values}）", "{where}{rule_text} ({values})"),
    "problem.check_soft": (
        "{where}{rule_text}（{values}）——保存前需填写说明",
        "{where}{rule_text} ({values}) — an explanation is needed to store it",
    ),
    "severity.explain": ("需说明", "Explain"),
    "severity.error": ("错误", "Error"),
    "severity.warning": ("提醒", "Warning"),
    # ------------------------------------------------------------ app shell
    "app.title": ("{district}基层团组织改革进展监测", "{district} grassroots League reform monitor"),
    "app.sample_mixed_banner": (
        "当前数据中约 {share}% 仍为示例数据（虚构，仅供演示）。管理员可在“上传记录”页移除示例数据。",
        "About {share}% of the current data is still SAMPLE data (invented). An administrator can remove it on "
        "the History page.",
    ),
    "app.sample_banner": (
        "当前显示的是示例数据（虚构，仅供演示），上传各镇街真实报表后此提示消失。",
        "Showing SAMPLE data (invented, for demonstration); it disappears once real reports are uploaded.",
    ),
    "app.config_error": (
        "配置文件有误，程序无法启动：{error}",
        "The configuration is wrong and the app cannot start: {error}",
    ),
    "app.version": ("数据版本 {version}", "data version {version}"),
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
    "page.home": ("我的报送", "My reports"),
    "home.unit": ("本单位：{unit}", "Unit: {unit}"),
    "home.owed": ("应报报表", "Reports owed"),
    "home.nothing_owed": ("没有逾期或即将到期的报表。", "No report is overdue or due soon."),
    "home.state_overdue": ("逾期 {days} 天未报", "{days} days overdue"),
    "home.state_due": ("{days} 天后截止", "due in {days} days"),
    "home.state_returned": ("已退回，待重新报送", "returned: send it again"),
    "home.next_upload": ("下载（预填）模板，填写后上传", "download the (pre-filled) template, fill in, upload"),
    "home.go_upload": ("去上传报表", "Upload a report"),
    "home.review": ("审核进度", "Review"),
    "home.next.uploaded": ("在“数据上传”页提交审核", "submit it for review on the Upload page"),
    "home.next.submitted": ("等待团区委审核", "waiting for the district's review"),
    "home.next.returned": (
        "按退回原因更正后重新上传并提交审核",
        "correct it as the reason says, upload and submit again",
    ),
    "home.next.approved": ("已通过，无需操作", "approved: nothing to do"),
    "home.next.reopened": ("团区委已重新开放，可上传更正", "reopened by the district: upload a correction"),
    "home.returned": (
        "{report} 已被退回（{by}，{when}）：{reason}。请按原因更正后重新上传并提交审核。",
        "{report} was returned ({by}, {when}): {reason}. Correct it, upload it again and submit it.",
    ),
    "col.report": ("报表", "Report"),
    "col.state": ("状态", "State"),
    "col.next": ("下一步", "Next step"),
    "col.reason": ("原因", "Reason"),
    "col.decided_by": ("操作人", "By"),
    "col.decided_at": ("时间", "When"),
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
    "unit.wan_yuan": ("{value} 万元", "{value} × 10,000 yuan"),
    "unit.yuan_per_capita": ("{value} 元/人", "¥{value} per person"),
    "unit.count": ("{value}", "{value}"),
    "unit.of": ("{value}/{total}", "{value} of {total}"),
    "overview.league_table": ("镇街排行", "Township league table"),
    "overview.league_help": (
        "按达标项数排序；每项目标见配置文件。",
        "Sorted by targets met; targets are set in the configuration.",
    ),
    "overview.met": ("达标项", "Targets met"),
    "overview.red_black": ("红黑榜", "Leading and lagging townships"),
    "overview.red_black_help": (
        "按达标项排名，两端各取最多 5 个镇街；达标项相同的镇街并列、整组列入（同分超过 5 个时全部列出），"
        "不另设排序规则；团区委不参与排名。点击镇街名称查看镇街画像。",
        "Ranked by targets met, up to five townships at each end; townships with the same score tie and are "
        "listed together (all of them when more than five tie), with no hidden tie-break; the district "
        "committee is not ranked. Click a name for its profile.",
    ),
    "overview.league_worst_first": (
        "全部镇街，达标项最少的排在最前；选中一行查看该镇街画像。",
        "Every township, fewest targets met first; select a row to open its profile.",
    ),
    "overview.map": ("镇街分布图", "District map"),
    "overview.map_kpi": ("着色指标", "Colour by"),
    "overview.map_help": (
        "每个方块是一个镇街，位置按镇街驻地大致方位排列（示意，不表示行政边界）；点击方块查看镇街画像。",
        "Each square is a township, placed roughly where its seat lies (a diagram: no boundaries); "
        "click a square for the township's profile.",
    ),
    "map.title": ("各镇街：{kpi}", "Townships: {kpi}"),
    "map.all_met": ("全部达标", "All targets met"),
    "map.one_short": ("差 1 项", "One short"),
    "map.more_short": ("差 2 项及以上", "Two or more short"),
    "page.township": ("镇街画像", "Township profile"),
    "township.choose": ("镇街", "Township"),
    "township.rank": ("排名", "Rank"),
    "township.rank_value": ("第 {rank} 名 / {of}", "{rank} of {of}"),
    "township.rank_change": ("{change:+d} 位", "{change:+d} places"),
    "township.met": ("达标项", "Targets met"),
    "township.indicators": ("各项指标", "Indicators"),
    "township.trend": ("历年变化", "Year by year"),
    "township.not_ranked": (
        "该镇街在所选范围内没有可排名的数据。",
        "This township has no ranked figures in the selected range.",
    ),
    "col.label": ("指标", "Indicator"),
    "col.shown": ("本镇街", "This township"),
    "col.district": ("全区", "District"),
    "col.target": ("镇街目标", "Township target"),
    "col.met_word": ("是否达标", "Met"),
    "overview.scorecard": ("“四缺”攻坚记分卡", "Four shortages scorecard"),
    # ------------------------------------------------------------ charts
    "chart.target": ("目标", "Target"),
    "chart.township": ("镇街", "Township"),
    "chart.year": ("年度", "Year"),
    "chart.period": ("统计期", "Period"),
    "chart.count": ("数量", "Count"),
    "chart.rate": ("比例", "Rate"),
    "chart.wan_yuan": ("金额（万元）", "Amount (× 10,000 yuan)"),
    "chart.people": ("人数", "People"),
    "chart.homes": ("青年之家（个）", "Youth Homes"),
    "chart.units": ("单位数", "Units"),
    "chart.new_units": ("本轮新增", "New this round"),
    "chart.participants": ("服务人次", "Participants"),
    "chart.all_zero": ("{n} 个镇街均为 0", "All {n} townships at 0"),
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
    "upload.checking": ("正在读取并检查 {name} …", "Reading and checking {name} …"),
    "upload.storing": ("正在保存 {rows} 行 …", "Storing {rows} rows …"),
    "upload.auto": ("自动识别", "Recognise from headers"),
    "upload.file": ("选择文件", "Choose a file"),
    "upload.rows_read": ("读取行数", "Rows read"),
    "upload.rows_valid": ("可保存行数", "Rows to store"),
    "upload.rows_skipped": ("跳过行数", "Rows skipped"),
    "upload.errors": ("错误", "Errors"),
    "upload.ok_explain": (
        "检查通过：可以保存 {rows} 行“{dataset}”数据；其中 {count} 处触发需说明的核对规则，请在下方填写说明后保存。",
        "Check passed: {rows} rows of '{dataset}' can be stored once {count} rows breaking check rules are explained below.",
    ),
    "upload.explain": ("需要说明的情况", "Explanations needed"),
    "upload.explain_help": (
        "以下核对规则不阻止保存，但需写明原因；说明随本次上传保存，审核人可见。",
        "These check rules do not block the upload, but each needs a reason; it is stored with the upload for the reviewer.",
    ),
    "upload.explain_rule": ("{rule}（第 {rows} 行）", "{rule} (rows {rows})"),
    "upload.explain_row": ("第 {row} 行：{values}", "Row {row}: {values}"),
    "upload.queued": (
        "排队中：服务器正在读取其他 Excel 文件，轮到后开始检查“{name}”…",
        "Queued: the server is reading other Excel files; '{name}' is checked when its turn comes…",
    ),
    "upload.explain_missing": ("还有 {count} 条说明未填写，填写后可保存", "{count} explanations still missing"),
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
    "upload.commit_submit": ("保存并提交审核", "Save and submit for review"),
    "upload.commit_only": ("仅保存（稍后提交审核）", "Save only (submit later)"),
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
    "col.setting": ("设置项", "Setting"),
    "col.key": ("配置键", "Key in config.yaml"),
    "col.clause": ("条款", "Clause"),
    "col.requirement": ("要求", "Requirement"),
    "col.verdict": ("结果", "Verdict"),
    "col.evidence": ("证据", "Evidence"),
    "col.todo": ("待办", "To do"),
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
    "kind.sample_remove": ("移除示例数据", "Sample removed"),
    "data.sample_remove_title": ("移除示例数据", "Remove the sample data"),
    "data.sample_remove_help": (
        "示例数据是虚构的演示数据。移除后，各页面只显示各镇街真实上报的数据；移除操作记入上传记录，可撤销。",
        "The sample data is invented. Once removed, every page shows township reports only; the removal is "
        "recorded in the history and can be rolled back.",
    ),
    "data.sample_remove_confirm": ("我确认移除全部示例数据", "I confirm: remove all sample data"),
    "data.sample_remove": ("移除示例数据", "Remove sample data"),
    "data.sample_removed": (
        "已移除示例数据：{batches} 批、{rows} 行（可在上传记录中撤销）",
        "Sample data removed: {batches} batches, {rows} rows (can be rolled back in the history)",
    ),
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
    "audit.action.login": ("登录", "Sign-in"),
    "audit.action.logout": ("退出登录", "Sign-out"),
    "audit.action.expired": ("登录过期", "Sign-in expired"),
    "audit.action.disabled": ("账户停用后退出", "Signed out (disabled)"),
    "audit.action.credentials_changed": ("密码或角色已更改，已退出", "Signed out (password or role changed)"),
    "audit.action.idle": ("长时间未操作，已退出", "Signed out (idle)"),
    "audit.action.logout_elsewhere": ("在同一浏览器的其他标签页退出", "Signed out in another tab"),
    "audit.action.admin_network": (
        "管理员不在允许的网络，已退出",
        "Signed out (administrator outside allowed networks)",
    ),
    "audit.action.session_moved": ("会话被其他浏览器使用，已退出", "Signed out (session used elsewhere)"),
    "audit.action.upload": ("上传", "Upload"),
    "audit.action.restore": ("恢复", "Restore"),
    "audit.action.rollback": ("撤销", "Roll back"),
    "audit.action.sample": ("载入示例数据", "Sample loaded"),
    "audit.action.sample_remove": ("移除示例数据", "Sample removed"),
    "audit.action.export": ("导出会议材料", "Export"),
    "audit.action.user_add": ("新增用户", "Add account"),
    "audit.action.user_disable": ("停用账户", "Disable account"),
    "audit.action.user_enable": ("启用账户", "Enable account"),
    "audit.action.user_passwd": ("修改密码", "Change password"),
    "audit.action.user_unlock": ("解除账户锁定", "Unlock account"),
    "audit.action.user_role": ("更改账户角色", "Change account role"),
    "audit.action.user_split": ("拆分合并管理员（三员分立）", "Split a combined administrator"),
    "audit.action.second_factor": ("动态口令验证", "One-time code"),
    "audit.action.second_factor_enrol": ("绑定动态口令手机", "Enrol a phone for one-time codes"),
    "audit.action.second_factor_reset": ("解除动态口令手机绑定", "Forget an account's phone"),
    "audit.action.address_lift": ("解除地址限速", "Lift address throttle"),
    "audit.action.repair": ("隔离无法载入的数据行", "Set aside rows a server cannot take"),
    "audit.outcome.ok": ("成功", "Done"),
    "audit.outcome.refused": ("被拒绝", "Refused"),
    "audit.outcome.duplicate": ("重复文件，未保存", "Same file, not stored"),
    "audit.outcome.wrong_password": ("密码错误", "Wrong password"),
    "audit.outcome.unknown": ("无此用户", "No such user"),
    "audit.outcome.locked": ("已锁定", "Locked"),
    "users.holds": ("登录限制", "Sign-in holds"),
    "users.locked_name": (
        "账户 {name}：密码错误次数过多，已暂时锁定",
        "Account {name}: locked after too many wrong passwords",
    ),
    "users.slowed_address": (
        "地址 {address}：登录失败 {failures} 次，本服务器对其每次登录延迟 {seconds:g} 秒（正确密码仍可登录）",
        "Address {address}: {failures} failed sign-ins; this server delays each of its attempts by {seconds:g} s "
        "(a right password still signs in)",
    ),
    "users.unlock": ("解除锁定", "Unlock"),
    "users.lift": ("解除限速", "Lift"),
    "audit.outcome.address_held": ("该地址尝试过多", "Address held back"),
    "col.rows": ("行数", "Rows"),
    "app.no_rows": ("（没有记录）", "(no rows)"),
    "data.confirm_restore": ("我确认恢复这一统计范围的旧版本", "I confirm: restore this slice's earlier version"),
    "data.confirm_undo": (
        "我确认撤销这一批（被替换的数据将恢复）",
        "I confirm: roll back this batch (what it replaced comes back)",
    ),
    "col.current_rows": ("当前有效", "Current"),
    "col.is_sample": ("示例数据", "Sample"),
    "col.content_hash": ("文件指纹", "Content hash"),
    "col.rank": ("名次", "Rank"),
    "col.township": ("镇街", "Township"),
    "col.met": ("达标项", "Targets met"),
    "col.officers": ("青年助力官（人）", "Youth officers"),
    "col.cadre_fill_rate": ("专职团干部配备率", "Cadre posts filled"),
    "col.secretary_vacancies": ("书记空缺（个）", "Secretary vacancies"),
    "col.specialty_homes": ("专营店（个）", "Specialty homes"),
    "col.member_development_rate": ("团员发展完成率", "Members vs plan"),
    "col.calendar_gap": ("当年计划较时间进度（百分点）", "This year's plan vs calendar (points)"),
    "col.funding_per_capita": ("人均经费（元）", "Funding per capita (yuan)"),
    "col.cadre_authorized": ("专职团干部核定数", "Cadre posts authorised"),
    "col.cadre_filled": ("专职团干部在岗数", "Cadres in post"),
    "col.officer_filled": ("青年助力官在岗数", "Youth officers in post"),
    "col.secretary_authorized": ("团组织数", "Branches"),
    "col.secretary_vacant": ("书记空缺数", "Secretary vacancies"),
    "col.amount": ("青少年发展专项经费（元）", "Youth development funds (yuan)"),
    "col.population": ("青少年人数", "Youth population"),
    "col.per_capita": ("人均（元）", "Per capita (yuan)"),
    "details.rows": ("（{rows:,} 行）", "({rows:,} rows)"),
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
        "各镇街应报的报表、是否按时报送。到期规则由管理员在配置文件中设定。",
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
    # ------------------------------------------------------------ written summaries
    "summary.heading": ("要点（可直接宣读）", "Key points (ready to read out)"),
    "summary.and_more": ("等 {count} 个", " and others ({count} in all)"),
    "summary.overview": (
        "“四缺”{total} 项考核指标中，{green} 项达标，{amber} 项接近目标，{red} 项未达标。",
        "Of {total} targets on the four shortages, {green} are met, {amber} are close and {red} are behind.",
    ),
    "summary.overview_behind": ("尚需加力：{names}。", "Still to push: {names}."),
    "summary.officers": (
        "{total} 个镇街中 {covered} 个已配备专职青年助力官",
        "{covered} of {total} townships have a full-time youth assistant officer",
    ),
    "summary.officers_missing": ("，{names}尚未配备。", "; still without one: {names}."),
    "summary.cadres": (
        "专职团干部配备率 {rate}（在岗 {filled} 人 / 核定 {authorized} 人）。",
        "Full-time cadre posts filled: {rate} ({filled} of {authorized}).",
    ),
    "summary.vacancies": ("团组织书记空缺 {count} 个", "{count} branch-secretary vacancies"),
    "summary.vacancies_where": ("，主要在{names}。", ", mostly in {names}."),
    "summary.homes": (
        "全区共有青年之家 {total} 个：旗舰店 {flagship} 个、专营店 {specialty} 个、共营店 {shared} 个。",
        "The district has {total} Youth Homes: {flagship} flagship, {specialty} specialty and {shared} shared.",
    ),
    "summary.specialty": (
        "{total} 个镇街中 {covered} 个建有专营店",
        "{covered} of {total} townships have a specialty Youth Home",
    ),
    "summary.specialty_missing": ("，{names}尚未建立。", "; still without one: {names}."),
    "summary.alumni": (
        "{total} 个城市中 {covered} 个已建立学子联谊会，会员共 {members} 人，开展活动 {events} 场",
        "{covered} of {total} cities have an alumni association, with {members} members and {events} events",
    ),
    "summary.alumni_missing": ("；{names}尚未建立。", "; not yet in {names}."),
    "summary.development": (
        "{year} 年计划发展团员 {planned} 名，实际发展 {admitted} 名，完成率 {rate}。",
        "In {year}, {admitted} new members were admitted against a plan of {planned}: {rate}.",
    ),
    "summary.calendar": (
        "截至 {day}，时间进度 {calendar}；已报送的 {n}/{total} 个镇街 {year} 年团员发展计划已完成 {rate}，{gap}",
        "As of {day} the year is {calendar} through; the {n} of {total} townships that reported have done "
        "{rate} of {year}'s member development plan, {gap}",
    ),
    "summary.ahead": ("领先 {points} 个百分点", "{points} points ahead"),
    "summary.behind": ("落后 {points} 个百分点", "{points} points behind"),
    "summary.calendar_behind": ("；落后时间进度的镇街：{names}", "; behind the calendar: {names}"),
    "summary.development_behind": ("未完成计划的镇街：{names}。", "Behind plan: {names}."),
    "summary.schools": (
        "{total} 所中学中 {covered} 所已建团校分校",
        "{covered} of {total} middle schools have a league-school branch",
    ),
    "summary.schools_missing": ("，{names}尚未建立。", "; still without one: {names}."),
    "summary.funding": (
        "{total} 个镇街中 {met} 个达到每人 {standard} 元标准",
        "{met} of {total} townships meet the ¥{standard} per person standard",
    ),
    "summary.funding_below": ("，{names}未达标", "; below it: {names}"),
    "summary.periods": (
        "各项指标按各自报表最近一期统计：{periods}",
        "Each figure is as of its report's latest period: {periods}",
    ),
    "summary.coverage": ("统计期：{coverage}", "Period: {coverage}"),
    "summary.dataset_coverage": ("{dataset} {coverage}", "{dataset} {coverage}"),
    "summary.generic": ("{label}：{value}，{target}", "{label}: {value}; {target}"),
    "chart.reported": ("{n}/{total} 已报", "{n}/{total} reported"),
    "chart.unfinished": ("{name}（未报齐，其余沿用上期）", "{name} (not all reported; the rest as before)"),
    "chart.not_reported": ("未报", "not reported"),
    "coverage.reported": ("{period} · {n}/{total} 已报", "{period} · {n} of {total} reported"),
    "coverage.earlier": ("，其余沿用 {earlier}", "; the rest as of {earlier}"),
    "coverage.missing": ("，{names}未报", "; not reported: {names}"),
    "coverage.district": ("{period} · 全区", "{period} · district-wide"),
    "freshness.as_of": ("数据截至：{periods}", "Data as of: {periods}"),
    "freshness.part": ("{datasets} {period}", "{datasets} {period}"),
    "freshness.reported": ("（{n}/{total} 已报）", " ({n} of {total} reported)"),
    "freshness.no_data": ("数据截至：暂无数据", "Data as of: no data yet"),
    "freshness.overdue": ("{parts}。", "{parts}."),
    "freshness.overdue_year": ("{periods}报表尚有 {count} 份未报", "{count} reports for {periods} are overdue"),
    "freshness.overdue_year_review": (
        "{periods}报表尚有 {count} 份未报或待审核",
        "{count} reports for {periods} are overdue or awaiting review",
    ),
    "freshness.year_periods": ("{year}年{periods}", "{periods} {year}"),
    "freshness.annual": ("年度", "the year"),
    "freshness.year_only": ("{year}年度", "{year}"),
    "freshness.and": ("及", " and "),
    "freshness.month_span": ("{first}至{last}月", "months {first}–{last}"),
    "freshness.month_list": ("{months}月", "month(s) {months}"),
    "change.points": ("{value} 个百分点", "{value} pp"),
    "change.count": ("{value}{noun}", "{value}{noun}"),
    "change.yuan_per_capita": ("{value} 元/人", "{value} yuan/person"),
    "change.wan_yuan": ("{value} 万元", "{value} × 10,000 yuan"),
    "noun.townships": (" 个镇街", " townships"),
    "noun.schools": (" 所中学", " schools"),
    "noun.cities": (" 个城市", " cities"),
    "noun.homes": (" 家", " homes"),
    "noun.vacancies": (" 个", " vacancies"),
    "noun.units": (" 个单位", " units"),
    "summary.end": ("。", "."),
    "summary.funding_silent": ("，{names}尚未报送", "; not reported: {names}"),
    "summary.pilot": ("{year} 年改革试点专项经费 {amount} 万元", "Reform pilot special funds in {year}: ¥{amount}"),
    "summary.pilot_change": ("，较上年 {change}。", ", {change} on the year before."),
    "summary.inspected": (
        "已对 {units} 个单位开展团务巡察（目标 {target} 个），共 {rounds} 轮。",
        "{units} units have been inspected (target {target}) over {rounds} rounds.",
    ),
    "summary.rectified": (
        "发现问题 {found} 个，已整改 {done} 个，整改率 {rate}；整改中 {in_progress} 个，未整改 {not_started} 个。",
        "{found} findings, {done} rectified ({rate}); {in_progress} in progress, {not_started} not started.",
    ),
    "summary.established": (
        "巡察后 {count} 个单位新建团组织：{names}。",
        "{count} units set up a league organisation after inspection: {names}.",
    ),
    # ------------------------------------------------------------ meeting mode and exports
    "page.meeting": ("会议模式", "Meeting mode"),
    "meeting.subtitle": (
        "青年工作联席会议 · {date} · 统计年度 {first}–{last}",
        "Joint meeting on youth work · {date} · years {first}–{last}",
    ),
    "meeting.kpis_title": ("破解“{area}”：主要指标", "The {area} shortage: key figures"),
    "meeting.league_best": ("达标项最多：{names}（{met}/{of} 项）。", "Most targets met: {names} ({met} of {of})."),
    "meeting.league_worst": ("达标项最少：{names}（{met}/{of} 项）。", "Fewest targets met: {names} ({met} of {of})."),
    "meeting.league_best_tied": (
        "达标项最多的 {count} 个镇街并列：{names}（均为 {met}/{of} 项）。",
        "{count} townships tie for most targets met: {names} ({met} of {of} each).",
    ),
    "meeting.league_worst_tied": (
        "达标项最少的 {count} 个镇街并列：{names}（均为 {met}/{of} 项）。",
        "{count} townships tie for fewest targets met: {names} ({met} of {of} each).",
    ),
    "meeting.league_best_many": (
        "达标项最多的 {count} 个镇街并列（均为 {met}/{of} 项），按镇街顺序如：{names}等。",
        "{count} townships tie for most targets met ({met} of {of} each), in township order: {names} and others.",
    ),
    "meeting.league_worst_many": (
        "达标项最少的 {count} 个镇街并列（均为 {met}/{of} 项），按镇街顺序如：{names}等。",
        "{count} townships tie for fewest targets met ({met} of {of} each), in township order: {names} and others.",
    ),
    "overview.more_tied": (
        "另有 {more} 个镇街同为 {met}/{of} 项（并列），完整名单见下方镇街排行。",
        "{more} more townships tie at {met} of {of}; the league table below lists them all.",
    ),
    "meeting.league_all_tied": (
        "{count} 个镇街达标项相同，均为 {met}/{of} 项。",
        "All {count} townships meet the same number of targets: {met} of {of}.",
    ),
    "meeting.preview": ("幻灯片预览", "Slide preview"),
    "upload.browse": ("选择文件", "Choose a file"),
    "upload.limits": ("单个文件不超过 {mb} MB · {formats}", "Up to {mb} MB a file · {formats}"),
    "completeness.matrix_help": (
        "最新统计期在左；有缺报、逾期的镇街排在最前。",
        "Newest period on the left; units with missing or late reports first.",
    ),
    "notify.remind_overdue_subject": ("【催报】{township}：报表已逾期", "[Reminder] {township}: reports overdue"),
    "notify.remind_overdue_line": (
        "· {dataset}（{period}）应于 {due} 前报送，已逾期 {days} 天",
        "· {dataset} ({period}) was due on {due}, {days} days ago",
    ),
    "notify.remind_before_subject": ("【催报】{township}：报表即将到期", "[Reminder] {township}: reports due soon"),
    "notify.remind_before_line": (
        "· {dataset}（{period}）请于 {due} 前报送（还有 {days} 天）",
        "· {dataset} ({period}) is due on {due} (in {days} days)",
    ),
    "notify.remind_tail": (
        "请登录改革进展监测系统上传。{committee}",
        "Please upload it in the Reform Progress Monitor. {committee}",
    ),
    "notify.returned_subject": (
        "【退回】{township}：报表需修改后重新提交",
        "[Returned] {township}: please correct and resubmit",
    ),
    "notify.returned_text": (
        "{dataset}（{period}）已被退回，审核人填写的原因：{reason}。请修改后重新上传并提交审核。",
        "{dataset} ({period}) was returned; the reviewer's reason: {reason}. Please correct it, upload it again "
        "and submit it.",
    ),
    "notify.kind.returned": ("退回通知", "Returned"),
    "notify.red_subject": ("【预警】{district}：{kpi}转为未达标", "[Alert] {district}: {kpi} is now behind target"),
    "notify.red_text": ("{kpi}当前 {value}，{target}。", "{kpi} is now {value}; {target}."),
    "notify.digest_subject": ("{district}基层团组织改革周报（{date}）", "{district} reform weekly ({date})"),
    "notify.digest_tail": (
        "数据版本 {version}。会议材料见附件。",
        "Data version {version}. The meeting pack is attached.",
    ),
    "notify.summary": (
        "应发 {due} 条：已发送 {sent} 条，失败 {failed} 条，已发过或正由另一进程发送 {skipped} 条",
        "{due} due: {sent} sent, {failed} failed, {skipped} already sent or being sent by another run",
    ),
    "notify.none_configured": (
        "未配置通知渠道（config.yaml 的 notify.channels），没有发送任何消息",
        "No notification channel is configured (config.yaml notify.channels): nothing sent",
    ),
    "notify.kind.remind_overdue": ("逾期催报", "Overdue reminder"),
    "notify.kind.remind_before": ("到期提醒", "Due-soon reminder"),
    "notify.kind.kpi_red": ("指标预警", "KPI alert"),
    "notify.kind.digest": ("周报", "Weekly digest"),
    "notify.status.sent": ("已发送", "Sent"),
    "notify.status.failed": ("发送失败", "Failed"),
    "notify.status.sending": ("发送中", "Sending"),
    "notify.recipient.leaders": ("领导", "Leaders"),
    "page.notifications": ("通知记录", "Notifications"),
    "notifications.intro": (
        "催报、退回、预警和周报的每一次发送：发给谁、通过哪个渠道、结果如何。由服务器的定时任务每天发送（见使用说明“通知”一节）。",
        "Every reminder, alert and digest sent: to whom, through which channel, and the answer. "
        "Sent by python -m reform notify on a timer.",
    ),
    "col.recipient": ("接收方", "Recipient"),
    "col.channel": ("渠道", "Channel"),
    "col.subject": ("标题", "Subject"),
    "col.attempts": ("尝试次数", "Attempts"),
    "col.sent_at": ("发送时间", "Sent at"),
    "col.result": ("结果", "Result"),
    "auth.slice_locked": (
        "这些统计范围已提交审核或已审核通过，不能再修改：{slices}。如需修改，请联系团区委退回或重新开放。",
        "These slices are submitted or approved and cannot be changed: {slices}. Ask the district to return or reopen them.",
    ),
    "review.error.no_batch": ("没有第 {batch} 批上传", "There is no batch {batch}"),
    "review.error.unknown_step": ("未知的审核操作：{step}", "Unknown review step: {step}"),
    "review.error.needs_reason": ("退回或重新开放时请填写原因", "Give a reason to return or reopen"),
    "review.error.forbidden": ("当前账户无权进行此审核操作", "This account may not take this review step"),
    "review.error.not_yours": (
        "只能提交本镇街的数据：{slice}",
        "You may submit only your own township's data: {slice}",
    ),
    "review.error.wrong_state": (
        "{slice} 当前状态为“{state}”，不能{step}",
        "{slice} is {state}: it cannot be {step}",
    ),
    "review.error.own_slice": (
        "{slice} 是您本人上传或提交审核的数据，不能由您本人{step}，请由另一位审核人员处理",
        "{slice} was uploaded or submitted by you: another reviewer must {step} it",
    ),
    "review.error.nothing_to_submit": (
        "第 {batch} 批没有可提交审核的数据（已提交、已通过或已被替换）",
        "Batch {batch} has nothing to submit (already submitted, approved or replaced)",
    ),
    "meeting.pending": ("【含待审核数据】", "[Includes figures awaiting review] "),
    "page.review": ("数据审核", "Review"),
    "review.off": (
        "未启用审核（由管理员在配置文件中开启）：上传即发布。",
        "Review is off (review.required is false in config.yaml): uploads are published at once.",
    ),
    "review.queue": ("待审核", "Awaiting review"),
    "review.queue_empty": ("没有待审核的数据。", "Nothing awaits review."),
    "review.effect": ("{slice}：通过后，{changes}", "{slice}: once approved, {changes}"),
    "app.choose": ("请选择", "Choose"),  # Streamlit's own placeholder is English
    "review.diff_title": (
        "{slice}：{basis}，新增 {added} 行、删除 {removed} 行、修改 {changed} 行",
        "{slice}: {basis}, {added} rows added, {removed} removed, {changed} changed",
    ),
    "review.basis.returned": ("与退回的版本（第 {batch} 批）相比", "against the returned version (batch {batch})"),
    "review.basis.published": ("与上次通过的版本相比", "against the last approved version"),
    "review.basis.previous": ("本期首次报送，与上期（{period}）相比", "first report of the period, against {period}"),
    "review.basis.none": ("首次报送，无可对比的数据", "first report: nothing to compare with"),
    "review.change.same": ("未变", "Same"),
    "col.values_reported": ("报送的数值", "Values reported"),
    "col.outliers": ("较上期变化较大", "Far from last period"),
    "review.outlier": ("{column} {before} → {after}（{change}）", "{column} {before} → {after} ({change})"),
    "review.outliers_found": (
        "{count} 个数值较上期变化超过一半，已标出",
        "{count} values moved by more than half on last period",
    ),
    "review.has_explanations": ("；附 {count} 条说明", "; {count} explanations"),
    "review.effect_short": ("通过后：{changes}", "Once approved: {changes}"),
    "review.explanations": ("镇街的说明", "The uploader's explanations"),
    "review.explanation": ("第 {rows} 行 · {message}", "Rows {rows} · {message}"),
    "review.explanation_text": ("说明：{text}", "Explanation: {text}"),
    "review.no_rows_changed": ("各行与上次通过的版本相同。", "Every row is as in the last approved version."),
    "review.empty": ("空", "empty"),
    "review.change.added": ("新增", "Added"),
    "review.change.removed": ("删除", "Removed"),
    "review.change.changed": ("修改", "Changed"),
    "col.change": ("变化", "Change"),
    "col.row_key": ("行", "Row"),
    "col.values_changed": ("改动（原 → 新）", "Values (before → after)"),
    "review.no_effect": ("领导看板上的指标不变", "no figure on the leaders' screens changes"),
    "review.choose": ("选择要审核的数据（可多选）", "Choose what to review (one or many)"),
    "review.reason": ("原因（退回或重新开放时必填）", "Reason (needed to return or reopen)"),
    "review.approve": ("通过所选（{count}）", "Approve selected ({count})"),
    "review.return": ("退回所选（{count}）", "Return selected ({count})"),
    "review.approved": ("已通过（已锁定）", "Approved (locked)"),
    "review.reopen_which": ("重新开放哪一项", "Reopen which"),
    "review.done": ("已{step} {count} 项。", "{step}: {count} done."),
    "review.submit_hint": (
        "已保存。数据需提交审核，团区委通过后才会在领导看板上显示。",
        "Saved. Submit it for review: leaders see it once the district approves it.",
    ),
    "review.submitted": ("已提交审核（{count} 项）。", "Submitted for review ({count})."),
    "col.submitted_by": ("提交人", "Submitted by"),
    "col.submitted_at": ("提交时间", "Submitted at"),
    "review.show_pending": ("显示待审核数据", "Show figures awaiting review"),
    "review.pending_banner": (
        "当前显示含待审核数据（{count} 个统计范围尚未通过审核），领导看到的是已通过的数据。",
        "Showing figures awaiting review ({count} slices not yet approved); leaders see the approved ones.",
    ),
    "review.state.uploaded": ("已上传（未提交）", "Uploaded"),
    "review.state.submitted": ("待审核", "Submitted"),
    "review.state.returned": ("已退回", "Returned"),
    "review.state.approved": ("已通过", "Approved"),
    "review.state.reopened": ("已重新开放", "Reopened"),
    "review.step.submit": ("提交审核", "Submit"),
    "review.step.approve": ("通过", "Approve"),
    "review.step.return": ("退回", "Return"),
    "review.step.reopen": ("重新开放", "Reopen"),
    "audit.action.review_submit": ("提交审核", "Review: submit"),
    "audit.action.review_approve": ("审核通过", "Review: approve"),
    "audit.action.review_return": ("审核退回", "Review: return"),
    "audit.action.review_reopen": ("重新开放", "Review: reopen"),
    "upload.prefilled": ("预填上期数据的模板", "Templates pre-filled with the last period"),
    "upload.prefilled_help": (
        "按本单位最近一期已发布的数据预填所选统计期（下一期，或逾期未报、被退回的各期）：人员、阵地等延续上期，"
        "请核对修改；活动场次、金额、发展人数等本期数据留空，请如实填写后上传。",
        "The chosen period (the next, or one still owed) filled from your unit's last published period: posts and "
        "venues carry over for you to check; activities, money and admissions are left empty for this period's figures.",
    ),
    "upload.prefill_unit": ("单位", "Unit"),
    "upload.prefill_period": ("统计期", "Period"),
    "upload.prefill_owed": ("（逾期未报）", " (overdue)"),
    "upload.prefill_none": (
        "该单位还没有已发布的数据，请使用空白模板。",
        "Nothing published for this unit yet: use the blank template.",
    ),
    "upload.prefill_download": ("下载 {target} 模板（按 {source} 预填）", "Download {target} (filled from {source})"),
    "table.export": ("导出 Excel", "Export to Excel"),
    "table.sheet": ("数据", "Data"),
    "table.version": ("数据版本{version}", "data-version-{version}"),
    "present.start": ("开始演示（全屏）", "Present (full screen)"),
    "present.screen": ("数据大屏（自动轮播）", "Big screen (slides advance)"),
    "present.help": (
        "演示在新标签页打开：← → 或翻页笔翻页，F 全屏，使用本页冻结的数据版本。"
        "数据大屏每 {seconds} 秒换一页，有新数据时自动更新。",
        "Opens in a new tab: ← → or a clicker turn pages, F for full screen, on this page's frozen data "
        "version. The big screen changes slide every {seconds} s and picks up new data by itself.",
    ),
    "present.not_served": (
        "演示模式由 serve.py 提供（make run 即是）；当前服务器未启用，链接无法打开。",
        "Presentation pages are served by serve.py (as make run does); this server does not, so the links will not open.",
    ),
    "present.hint": ("← → 翻页 · F 全屏", "← → turn pages · F full screen"),
    "audit.verify.summary": (
        "审计日志共校验 {checked} 行（第 {first} 行至第 {last} 行，最后一行记录于 {at}），算法：{algorithms}",
        "Audit log: {checked} lines checked (line {first} to line {last}, the last written at {at}); "
        "algorithms: {algorithms}",
    ),
    "audit.verify.broken": (
        "第 {id} 行：校验值不符——该行被修改，或其前面的行被删除或调换了顺序",
        "Line {id}: its seal does not hold — the line was edited, or lines before it were removed or reordered",
    ),
    "audit.verify.removed": (
        "第 {id} 行：该行已被删除（其校验值仍在）",
        "Line {id}: the line was removed (its seal remains)",
    ),
    "audit.verify.unsealed": (
        "第 {id} 行：没有校验值（不是由本系统写入的）",
        "Line {id}: it has no seal (it was not written by this system)",
    ),
    "audit.verify.ok": (
        "校验通过：审计日志完整，未被修改、删除或调换。",
        "Verified: the audit log is whole, nothing edited, removed or reordered.",
    ),
    "audit.verify.failed": (
        "校验未通过：发现 {count} 处问题。请保留现有数据库文件和备份，联系审计管理员核查。",
        "Verification failed: {count} problems found. Keep the database file and backups as they are and ask the "
        "audit administrator to look into it.",
    ),
    "compliance.identity_a": (
        "登录用户身份标识唯一，口令有复杂度要求并定期更换",
        "Unique user identities; passwords with complexity rules, changed periodically",
    ),
    "compliance.identity_b": (
        "登录失败处理：限制非法登录次数、结束会话、连接超时自动退出",
        "Failed sign-ins limited, sessions ended, idle connections signed out",
    ),
    "compliance.identity_c": (
        "远程管理时防止鉴别信息在网络传输中被窃听",
        "Credentials not sent in clear over the network",
    ),
    "compliance.identity_d": (
        "两种或两种以上组合的鉴别技术，其中一种使用密码技术",
        "Two or more kinds of authentication, one of them cryptographic",
    ),
    "compliance.access_a": ("为登录用户分配账户和权限", "Accounts and permissions assigned to each user"),
    "compliance.access_b": ("重命名或删除默认账户，修改默认口令", "No default account or default password"),
    "compliance.access_c": (
        "及时删除或停用多余、过期账户，避免共享账户",
        "Surplus and expired accounts removed or disabled",
    ),
    "compliance.access_d": (
        "授予管理用户最小权限，实现管理用户的权限分离",
        "Least privilege; administrators' duties kept apart",
    ),
    "compliance.access_e": (
        "由授权主体配置访问控制策略，粒度达到用户级和文件/数据库表级",
        "Access rules by authorised subjects, per user and table",
    ),
    "compliance.access_g": ("对重要主体和客体设置安全标记", "Security labels on important subjects and objects"),
    "compliance.audit_a": (
        "审计覆盖每个用户和重要安全事件，记录日期时间、用户、事件类型、是否成功",
        "Every user's important actions audited with time, user, event and outcome",
    ),
    "compliance.audit_c": (
        "审计记录受保护，定期备份，避免未预期的删除、修改或覆盖",
        "Audit records protected and backed up; no unexpected removal, change or overwrite",
    ),
    "compliance.audit_d": ("审计进程受保护，防止未经授权的中断", "The audit cannot be interrupted without authority"),
    "compliance.intrusion_ab": (
        "最小安装、关闭不需要的服务和端口、发现并修补漏洞",
        "Minimal install, unneeded services off, vulnerabilities found",
    ),
    "compliance.intrusion_c": (
        "限制管理终端的网络地址范围",
        "Administrators' terminals limited to set network addresses",
    ),
    "compliance.intrusion_d": ("对输入数据进行有效性检验", "Input data validated"),
    "compliance.malware": ("恶意代码防范、可信验证", "Malware protection, trusted verification"),
    "compliance.integrity_a": ("传输过程中重要数据的完整性", "Integrity of important data in transit"),
    "compliance.integrity_b": ("存储过程中重要数据的完整性", "Integrity of important data at rest"),
    "compliance.confidentiality_a": ("传输过程中重要数据的保密性", "Confidentiality of important data in transit"),
    "compliance.confidentiality_b": (
        "存储过程中重要数据（鉴别数据、个人信息）的保密性",
        "Confidentiality of important data at rest",
    ),
    "compliance.backup_a": ("重要数据的本地备份与恢复", "Local backup and restore of important data"),
    "compliance.backup_b": (
        "异地数据备份，定时批量传送至备用场地",
        "Off-site backup, sent on schedule to another site",
    ),
    "compliance.backup_c": ("重要数据处理系统的热冗余", "Hot redundancy of the data system"),
    "compliance.residual_a": (
        "鉴别信息的存储空间释放前完全清除",
        "Authentication data cleared before its storage is reused",
    ),
    "compliance.residual_b": (
        "敏感数据的存储空间释放前完全清除",
        "Sensitive data cleared before its storage is reused",
    ),
    "compliance.personal": (
        "仅采集必需的个人信息，禁止未授权访问和使用",
        "Only needed personal information, no unauthorised use",
    ),
    "compliance.host": (
        "属于服务器主机（操作系统、防病毒、可信启动）的测评范围",
        "Part of the host's own assessment (OS, antivirus, trusted boot)",
    ),
    "compliance.na.labels": (
        "本系统按角色和镇街控制访问，不使用强制访问控制标记",
        "Access is by role and township; no mandatory labels",
    ),
    "compliance.na.residual": (
        "上报数据按设计永久保留（历史可恢复），不释放；临时文件由运行环境清除",
        "Reported data is kept by design (history can be restored); temporary files are the runtime's",
    ),
    "compliance.todo.password": (
        "在 config.yaml → security 中设置：口令至少 8 位、3 类字符，90 天内更换，记住最近口令",
        "Set in config.yaml → security: at least 8 characters of 3 kinds, changed within 90 days, history kept",
    ),
    "compliance.todo.sessions": (
        "在 config.yaml → security 中设置：lock_failures ≤ 10、lock_minutes ≥ 10、idle_minutes ≤ 30、max_hours ≤ 24",
        "Set in config.yaml → security: lock_failures ≤ 10, lock_minutes ≥ 10, idle_minutes ≤ 30, max_hours ≤ 24",
    ),
    "compliance.todo.tls": (
        "按 deploy/nginx.conf.template 的 TLS 配置以 HTTPS 提供服务",
        "Serve over HTTPS as deploy/nginx.conf.template shows",
    ),
    "compliance.todo.second_factor": (
        "第三级：在 security.second_factor 中列出管理员角色 [admin, sysadmin, secadmin, auditor]，其下次登录时绑定手机",
        "Level 3: list the administrators' roles in security.second_factor [admin, sysadmin, secadmin, auditor]; "
        "each enrols a phone at its next sign-in",
    ),
    "compliance.todo.separation": (
        "设置 security.separate_admins: true，并用 python -m reform user split NAME 拆分现有的合并管理员",
        "Set security.separate_admins: true and split each combined admin: python -m reform user split NAME",
    ),
    "compliance.todo.unused": (
        "停用长期未使用的账户：python -m reform user disable NAME",
        "Disable unused accounts: python -m reform user disable NAME",
    ),
    "compliance.todo.audit_broken": (
        "运行 python -m reform audit --verify 查看被改动的行，保留证据并报告",
        "Run python -m reform audit --verify to see the altered lines; keep the evidence and report it",
    ),
    "compliance.todo.networks": (
        "在 security.admin_networks 中列出管理终端所在的网段",
        "List the administrators' networks in security.admin_networks",
    ),
    "compliance.todo.redundancy": (
        "第三级：使用 PostgreSQL 存储和多台应用服务器（README“省级部署”）",
        "Level 3: use the PostgreSQL store with several app servers (README, provincial deployment)",
    ),
    "compliance.todo.encryption": (
        "第三级：个人信息加密存储尚未提供",
        "Level 3: encryption of personal information at rest is not provided yet",
    ),
    "compliance.todo.offsite": (
        "定时备份到另一块磁盘或网络共享（异地备份）尚未提供；目前请用 cron 运行 python -m reform backup 并复制到异地",
        "Scheduled backups to another disk or share are not provided yet; meanwhile run python -m reform backup from "
        "cron and copy it off-site",
    ),
    "compliance.ev.cluster_https": (
        "make cluster 以自签名证书提供 HTTPS（deploy/cluster.py）",
        "make cluster serves HTTPS with a certificate it makes (deploy/cluster.py)",
    ),
    "compliance.ev.two_factors": (
        "口令（argon2）+ 动态口令（RFC 6238 TOTP），手机密钥以 AES-GCM 加密保存",
        "password (argon2) + one-time code (RFC 6238 TOTP), the phone's key kept AES-GCM encrypted",
    ),
    "compliance.ev.unused": (
        "超过 {days} 天未登录的账户：{names}",
        "Accounts without a sign-in for {days} days: {names}",
    ),
    "compliance.ev.verified": (
        "python -m reform audit --verify：{lines} 行，{breaks} 处不符",
        "python -m reform audit --verify: {lines} lines, {breaks} breaks",
    ),
    "compliance.ev.chain": (
        "逐行 HMAC-SM3 校验链（reform/auditchain.py）；至少保留 180 天，之后只能签名归档（reform/auditarchive.py）",
        "HMAC-SM3 chain line by line (reform/auditchain.py); kept 180 days, then only archived, signed "
        "(reform/auditarchive.py)",
    ),
    "compliance.ev.postgres": ("存储：PostgreSQL（可多台应用服务器）", "Storage: PostgreSQL (several app servers)"),
    "compliance.ev.duckdb": ("存储：单个 DuckDB 文件", "Storage: one DuckDB file"),
    "compliance.ev.no_default": (
        "没有内置账户；尚无账户时只在本机 127.0.0.1 提供服务",
        "No built-in account; without accounts only 127.0.0.1 is served",
    ),
    "compliance.ev.granularity": (
        "角色 × 页面和操作；镇街 × 报表到行",
        "Roles × pages and actions; township × report down to rows",
    ),
    "compliance.ev.audit_first": (
        "审计记录写不进或无法校验时，该操作不执行（reform/store.py insert_audit）",
        "An action whose audit line cannot be written or sealed does not happen (reform/store.py insert_audit)",
    ),
    "compliance.ev.backup_signed": (
        "备份带签名清单和校验和（reform/backup.py）",
        "Backups carry a signed manifest with checksums (reform/backup.py)",
    ),
    "compliance.ev.argon2": ("口令只以 argon2 散列保存", "Passwords kept as argon2 hashes only"),
    "compliance.ev.no_personal": (
        "DATA-CONTRACT.md：上报的是单位的数字，没有个人的姓名、电话、身份证号",
        "DATA-CONTRACT.md: units' figures only, no person's name, phone or ID number",
    ),
    "compliance.ev.extensions": ("扩展声明的报表：{names}", "Reports declared by extensions: {names}"),
    "compliance.ev.declared": (
        "声明为个人信息的列（对无需查看的角色屏蔽，导出须填写用途并审计）：{names}",
        "Columns declared personal (masked for roles without need; exported only with an audited reason): {names}",
    ),
    "compliance.ev.combined": ("合并的管理员账户：{names}", "Combined administrator accounts: {names}"),
    "compliance.status.pass": ("符合", "pass"),
    "compliance.status.fail": ("不符合", "fail"),
    "compliance.status.n/a": ("不适用", "n/a"),
    "compliance.title": (
        "等级保护自查（GB/T 22239-2019 第{level}级 安全计算环境）",
        "MLPS self-check (GB/T 22239-2019 level {level}, computing environment)",
    ),
    "compliance.summary": (
        "共 {total} 项：符合 {passed} 项，不符合 {failed} 项，不适用 {na} 项。",
        "{total} requirements: {passed} pass, {failed} fail, {na} not applicable.",
    ),
    "auth.not_auditor": (
        "审计日志的归档只能由审计管理员进行（--as 审计管理员账户）。",
        "Only the audit administrator archives the audit log (--as the audit administrator's account).",
    ),
    "auth.archive_too_recent": (
        "审计日志至少保留 {days} 天：--before 不能晚于 {latest}。",
        "Audit lines are kept at least {days} days: --before may not be later than {latest}.",
    ),
    "auth.archive_nothing": (
        "没有早于该日期的审计记录，无需归档。",
        "No audit line is older than that day: nothing to archive.",
    ),
    "auth.archive_exists": ("归档文件 {path} 已存在，未覆盖。", "The archive {path} exists already: not overwritten."),
    "auth.archive_bad": (
        "归档文件 {path} 校验失败（签名、摘要或校验链不符），请勿使用；数据库中的记录未删除。",
        "The archive {path} does not verify (signature, digest or chain): do not rely on it; nothing left the store.",
    ),
    "auth.archive_broken": (
        "审计日志的校验链不完整，不能归档：请先运行 python -m reform audit --verify 查明原因。",
        "The audit log's chain does not hold, so nothing is archived: run python -m reform audit --verify first.",
    ),
    "cli.archive_before": (
        "--archive 需要 --before YYYY-MM-DD（保留的第一天）。",
        "--archive needs --before YYYY-MM-DD (the first day kept).",
    ),
    "audit.archived": (
        "已将第 {first} 至 {last} 行共 {lines} 行审计记录归档到 {path}（已校验），并从数据库移出。",
        "Archived {lines} audit lines ({first} to {last}) into {path} (verified) and moved them out of the store.",
    ),
    "audit.archive_ok": (
        "归档 {path} 校验通过：第 {first} 至 {last} 行，共 {lines} 行。",
        "The archive {path} verifies: lines {first} to {last}, {lines} in all.",
    ),
    "audit.action.audit_archive": ("审计日志归档", "Audit log archived"),
    "audit.action.export_personal": ("导出含个人信息的表格", "Export of a table with personal data"),
    "table.personal_reason": (
        "此表含个人信息（姓名、电话或身份证号），导出须填写用途（记入审计日志）",
        "This table holds personal data (names, phones or ID numbers): give the purpose of the export (it is audited)",
    ),
    "present.ended": (
        "演示链接已失效：该账户的密码或角色已更改，或账户已停用。请重新登录后在“会议模式”页面重新打开。",
        "This presentation link has ended: the account's password or role changed, or it was disabled. Sign in "
        "again and open it from meeting mode.",
    ),
    "present.bad_link": (
        "演示链接无效或已过期，请在“会议模式”页面重新打开。",
        "This presentation link is invalid or expired: open it again from meeting mode.",
    ),
    "auth.credentials_changed": (
        "该账户的密码或角色已更改，请重新登录。",
        "This account's password or role has changed: sign in again.",
    ),
    "present.no_cookie": (
        "本浏览器未收到登录凭证（Cookie 被禁用或被代理去掉），无法生成只在本浏览器打开的演示链接；请启用 Cookie 后刷新页面。",
        "This browser holds no sign-in cookie (cookies blocked or removed by a proxy), so no presentation link bound to "
        "it can be made; allow cookies and reload the page.",
    ),
    "present.other_browser": (
        "此演示链接只能在生成它的浏览器中打开，请在本机登录后从“会议模式”页面打开。",
        "This presentation link opens only in the browser that made it: sign in here and open it from meeting mode.",
    ),
    "meeting.red_list": ("红榜 · 达标项最多", "Leading · most targets met"),
    "meeting.black_list": ("黑榜 · 达标项最少", "Lagging · fewest targets met"),
    "meeting.ranking_title": ("镇街红黑榜", "Townships: leading and lagging"),
    "meeting.league_title": ("镇街排行（{n}/{total}）", "Township league table ({n} of {total})"),
    "meeting.league_subtitle": ("按达标项从少到多排列", "Fewest targets met first"),
    "meeting.source": ("数据来源：各镇街上报", "Source: township reports"),
    "meeting.source_sample": ("数据来源：示例数据（虚构）", "Source: SAMPLE data (invented)"),
    "meeting.source_mixed": (
        "数据来源：各镇街上报，其中约 {share}% 为示例数据（虚构）",
        "Source: township reports; about {share}% is SAMPLE data (invented)",
    ),
    "meeting.footnote": (
        "{as_of}。{overdue}{source} · 数据版本 {version}",
        "{as_of}. {overdue}{source} · data version {version}",
    ),
    "meeting.start": ("开始会议（冻结当前数据版本）", "Start the meeting (freeze the current data version)"),
    "meeting.frozen": (
        "会议使用数据版本 {version}（最后一次上传于 {time}）；会议期间新上传的数据不会改变幻灯片。",
        "The meeting shows data version {version} (last upload {time}); uploads during the meeting do not change the slides.",
    ),
    "meeting.newer": ("数据已更新到版本 {version}。", "Newer data exists (version {version})."),
    "meeting.refresh": ("使用最新数据", "Use the newest data"),
    "meeting.choose": ("本次会议的幻灯片", "Slides for this meeting"),
    "meeting.previous": ("上一页", "Previous"),
    "meeting.next": ("下一页", "Next"),
    "meeting.position": ("第 {n} / {total} 页 · 键盘 ← → 翻页", "Slide {n} of {total} · ← → keys turn pages"),
    "meeting.exports": ("会议材料下载", "Meeting pack"),
    "meeting.build": ("生成 {format}", "Build {format}"),
    "meeting.download": ("下载 {format}", "Download {format}"),
    "meeting.building": ("正在生成 {format}……", "Building {format}…"),
    "meeting.built": (
        "{format} 已生成（{slides} 页，用时 {seconds} 秒）",
        "{format} built ({slides} slides in {seconds} s)",
    ),
    "meeting.no_browser": (
        "生成图片或 PDF 需要 Chromium 浏览器：{detail}",
        "Chart images and PDF need the Chromium browser: {detail}",
    ),
    "meeting.empty": ("没有选择幻灯片。", "No slides chosen."),
    "meeting.col_kpi": ("指标", "Figure"),
    "meeting.col_value": ("当前值", "Value"),
    "meeting.col_target": ("目标", "Target"),
    "meeting.col_status": ("状态", "Status"),
    "meeting.col_period": ("统计期与报送", "Period and reports"),
    # ------------------------------------------------------------ accounts and roles
    "nav.admin": ("管理", "Administration"),
    "page.users": ("用户管理", "Users"),
    "page.audit": ("审计日志", "Audit log"),
    "page.security": ("安全管理", "Security"),
    "security.intro": (
        "本页显示正在执行的安全策略（在服务器的 config.yaml → security 中修改）、被锁定的账户和受限的地址，以及等级保护自查结果。",
        "The security policy in force (changed on the server in config.yaml → security), locked accounts and "
        "throttled addresses, and the MLPS self-check.",
    ),
    "security.policy": ("安全策略", "Policy in force"),
    "security.compliance": ("等级保护自查", "MLPS self-check"),
    "security.level": ("等级", "Level"),
    "security.level_n": ("第{level}级", "Level {level}"),
    "security.passed": (
        "第{level}级各项均符合（不适用项除外）。",
        "Every applicable requirement of level {level} passes.",
    ),
    "security.failed": (
        "第{level}级有不符合项，见下表“待办”一列。",
        "Some requirements of level {level} fail: see the to-do column below.",
    ),
    "security.anywhere": ("不限", "anywhere"),
    "security.password_min_length": ("口令最短长度", "Shortest password"),
    "security.password_classes": ("口令须含字符类别数", "Kinds of characters a password mixes"),
    "security.password_history": ("不得重复使用最近的口令数", "Recent passwords that may not be reused"),
    "security.password_max_days": ("口令最长使用天数", "Days a password may be used"),
    "security.password_change_temporary": (
        "管理员设置的口令须在首次登录时修改",
        "Passwords set by an administrator changed at first sign-in",
    ),
    "security.lock_failures": ("连续登录失败锁定次数", "Failed sign-ins before a lock"),
    "security.lock_minutes": ("锁定时长（分钟）", "Lock (minutes)"),
    "security.idle_minutes": ("无操作自动退出（分钟）", "Signed out after idle (minutes)"),
    "security.max_hours": ("单次登录最长时长（小时）", "Longest sign-in (hours)"),
    "security.separate_admins": ("三员分立", "Administrators kept apart"),
    "security.admin_networks": ("管理员可登录的网段", "Networks administrators sign in from"),
    "page.account": ("我的账户", "My account"),
    "role.leader": ("领导（查看）", "Leader (view)"),
    "role.township": ("镇街填报员", "Township clerk"),
    "role.district": ("团区委工作人员", "District staff"),
    "role.admin": ("管理员", "Administrator"),
    "users.split_made": (
        "已创建 {name}（{role}），一次性密码：{password}（首次登录须修改；请交给另一位工作人员）",
        "Made {name} ({role}), one-time password: {password} (changed at first sign-in; hand it to another person)",
    ),
    "users.split_done": (
        "{name} 现为系统管理员；三员分立已完成，三个账户应由三位不同的工作人员持有。",
        "{name} is now the system administrator; the three administrators should be held by three different people.",
    ),
    "auth.admin_roles_by_operator": (
        "管理员类账户（系统、安全、审计管理员）只能在服务器命令行上创建或修改（python -m reform user …）。",
        "Administrators' accounts (system, security, audit) are made and changed on the server's command line only "
        "(python -m reform user …).",
    ),
    "auth.admin_combined": (
        "本系统已启用三员分立（security.separate_admins），不能再创建合并的管理员账户；请分别创建系统、安全、审计管理员。",
        "Administrators are kept apart here (security.separate_admins): no combined admin account is made; create a "
        "system, a security and an audit administrator instead.",
    ),
    "auth.not_combined": (
        "{name} 不是合并的管理员账户（角色 admin），无需拆分。",
        "{name} is not a combined admin account.",
    ),
    "role.sysadmin": ("系统管理员", "System administrator"),
    "role.secadmin": ("安全管理员", "Security administrator"),
    "role.auditor": ("审计管理员", "Audit administrator"),
    "auth.title": ("请登录", "Please sign in"),
    "auth.product": ("基层团组织改革进展监测", "Reform Progress Monitor"),
    "auth.name": ("用户名", "User name"),
    "auth.password": ("密码", "Password"),
    "auth.sign_in": ("登录", "Sign in"),
    "auth.sign_out": ("退出登录", "Sign out"),
    "auth.signed_in": ("当前用户：{name}（{role}）", "Signed in as {name} ({role})"),
    "auth.sso": ("使用单点登录", "Single sign-on"),
    "auth.sso_unknown": (
        "单点登录的身份没有对应的账户，请联系管理员。",
        "The signed-on identity has no account here; ask an administrator.",
    ),
    "auth.bad_login": (
        "用户名或密码不正确。连续输错 {failures} 次后将锁定 {minutes} 分钟；忘记密码请联系管理员。"
        "管理员账户只能从单位内网登录。",
        "Wrong user name or password. After {failures} wrong tries sign-in locks for {minutes} minutes; "
        "ask an administrator if you forgot the password. Administrator accounts sign in from the office "
        "network only.",
    ),
    "auth.locked": (
        "密码错误次数过多，账户已锁定，请 {minutes} 分钟后再试。",
        "Too many wrong passwords: the account is locked; try again in {minutes} minutes.",
    ),
    "auth.disabled": ("该账户已停用，请联系管理员。", "This account is disabled; ask an administrator."),
    "auth.expired": ("登录已过期，请重新登录。", "Your session expired; please sign in again."),
    "auth.forbidden": ("当前账户无权访问此页面或执行此操作。", "Your account may not open this page or do this."),
    "auth.local_banner": (
        "单机模式：尚未创建任何账户，仅本机（127.0.0.1）可访问。创建第一个账户后所有页面都需要登录。",
        "Single-user local mode: no account exists yet and only this machine (127.0.0.1) can connect. Once an account exists, every page needs a sign-in.",
    ),
    "auth.local_refused": (
        "尚未创建账户，不能在 {address} 上对外提供服务。请先用 python -m reform user add 创建管理员账户。",
        "No account exists, so the app will not serve on {address}. Create an administrator first: python -m reform user add.",
    ),
    "auth.needs_explanation": (
        "文件触发了需说明的核对规则，请填写说明后再保存：{rules}",
        "The file breaks check rules that need an explanation before it is stored: {rules}",
    ),
    "auth.upload_refused": (
        "无权上传：第 {rows} 行属于 {units}，本账户只能上传本镇街的数据。整个文件未保存。",
        "Not allowed: rows {rows} belong to {units}; this account may upload its own township's rows only. Nothing was stored.",
    ),
    "auth.has_errors": ("文件有 {count} 处错误，不能保存。", "The file has {count} errors and cannot be stored."),
    "auth.no_account": (
        "没有名为“{name}”的可用账户（查看：python -m reform user list）",
        "No enabled account named '{name}' (see: python -m reform user list)",
    ),
    "auth.upload_refused_shared_key": (
        "无权上传：第 {rows} 行与 {units} 已保存的数据同名（如同名阵地或单位），保存会替换对方的数据。整个文件未保存；"
        "如确属本镇街，请改用不同的名称，或请团区委处理。",
        "Not allowed: rows {rows} share a name with rows stored for {units} (e.g. a Youth Home or unit of the same "
        "name); storing would replace them. Nothing was stored; use a distinct name or ask the district committee.",
    ),
    "auth.upload_refused_replace": (
        "无权上传：文件中的数据会替换其他镇街的数据（例如同名阵地）。整个文件未保存。",
        "Not allowed: the file would replace another township's rows (e.g. a Youth Home of the same name). Nothing was stored.",
    ),
    "auth.old_password": ("当前密码", "Current password"),
    "auth.new_password": ("新密码", "New password"),
    "auth.repeat_password": ("再次输入新密码", "New password again"),
    "auth.change_password": ("修改密码", "Change password"),
    "auth.password_changed": ("密码已修改。", "Password changed."),
    "auth.mismatch": ("两次输入的密码不一致。", "The two passwords differ."),
    "auth.password_short": ("密码至少需要 {minimum} 个字符。", "The password needs at least {minimum} characters."),
    "auth.password_weak": (
        "密码需包含大写字母、小写字母、数字、其他字符（符号或汉字）中的至少 {classes} 类。",
        "The password must mix at least {classes} of: upper-case letters, lower-case letters, digits, other "
        "characters (symbols, Chinese).",
    ),
    "auth.password_is_name": ("密码不能与用户名相同。", "The password must not be the user name."),
    "auth.password_reused": (
        "新密码不能与最近 {count} 次使用过的密码相同。",
        "The new password must differ from the last {count} passwords of this account.",
    ),
    "auth.must_change.title": ("请先修改密码", "Change your password first"),
    "auth.must_change.temporary": (
        "您的密码由管理员设置（新账户或重置），按安全规定须在首次登录时修改为只有您知道的密码。",
        "An administrator set your password (a new account or a reset): change it to one only you know before "
        "going on.",
    ),
    "auth.must_change.expired": (
        "您的密码已使用超过 {days} 天，按安全规定须修改后才能继续使用。",
        "Your password is more than {days} days old: change it before going on.",
    ),
    "auth.code_title": ("请输入动态口令", "Enter your one-time code"),
    "auth.code": ("动态口令（6 位数字）或恢复码", "One-time code (6 digits) or a recovery code"),
    "auth.code_help": (
        "打开手机上的身份验证器应用，输入当前显示的 6 位数字；手机丢失时可用一个恢复码（每个只能用一次）。",
        "Open the authenticator app on your phone and type the 6 digits it shows; with a lost phone, one recovery "
        "code (each works once).",
    ),
    "auth.code_submit": ("验证", "Verify"),
    "auth.bad_code": (
        "动态口令不正确或已使用过，请输入手机上当前显示的数字。连续输错将锁定账户。",
        "The code is wrong or was used already: type the digits your phone shows now. Repeated wrong codes lock "
        "the account.",
    ),
    "auth.code_expired": ("输入动态口令超时，请重新登录。", "Too long without the code: sign in again."),
    "auth.enrol_intro": (
        "您的账户需要第二重鉴别（等级保护第三级）。请用手机上的身份验证器应用（如“腾讯身份验证器”“Microsoft "
        "Authenticator”）扫描下方二维码，再输入应用显示的 6 位数字。",
        "Your account needs a second factor (MLPS level 3). Scan the QR code below with an authenticator app on "
        "your phone, then type the 6 digits it shows.",
    ),
    "auth.enrol_secret": (
        "无法扫码时，可在应用中手动输入密钥：{secret}",
        "If you cannot scan, enter this key by hand: {secret}",
    ),
    "auth.enrol_submit": ("绑定手机", "Enrol this phone"),
    "auth.enrolled": (
        "已绑定。以下 10 个恢复码只显示这一次，请抄下或打印后妥善保管；手机丢失时每个恢复码可代替动态口令使用一次。",
        "Enrolled. These 10 recovery codes are shown only now: write them down or print them and keep them safe; "
        "each replaces a one-time code once if the phone is lost.",
    ),
    "auth.enrolled_continue": ("我已保存恢复码，继续", "I have kept the codes: continue"),
    "auth.admin_network": (
        "管理员账户只能从单位内网（security.admin_networks 所列地址）登录，当前地址不在其中，已退出。",
        "Administrator accounts may only work from the networks listed in security.admin_networks; this address "
        "is not one of them, so you were signed out.",
    ),
    "auth.idle": (
        "已超过 {minutes} 分钟未操作，登录已结束，请重新登录。",
        "No activity for {minutes} minutes: you were signed out. Sign in again.",
    ),
    "auth.bad_name": ("用户名不能为空，也不能是 local。", "The user name must not be empty or 'local'."),
    "auth.bad_role": ("角色应为：{roles}", "The role must be one of: {roles}"),
    "auth.bad_township": (
        "镇街账户必须指定一个已配置的镇街：{townships}",
        "A township account needs a configured township: {townships}",
    ),
    "auth.user_exists": ("用户 {name} 已存在。", "User {name} exists already."),
    "auth.no_user": ("没有用户 {name}。", "There is no user {name}."),
    "auth.self_disable": ("不能停用自己的账户。", "You cannot disable your own account."),
    "users.add": ("新增用户", "Add a user"),
    "users.role": ("角色", "Role"),
    "users.township": ("所属镇街（镇街账户必填）", "Township (township accounts)"),
    "users.added": ("已新增用户 {name}。", "User {name} added."),
    "users.manage": ("停用、启用或重置密码", "Disable, enable or reset a password"),
    "users.action": ("操作", "Action"),
    "users.disable": ("停用", "Disable"),
    "users.enable": ("启用", "Enable"),
    "users.passwd": ("重置密码", "Reset password"),
    "users.apply": ("执行", "Apply"),
    "users.done": ("已更新用户 {name}。", "User {name} updated."),
    "audit.intro": (
        "最近 500 条：登录、登录失败、上传、拒绝、恢复与撤销、导出、用户变更。",
        "The latest 500 events: sign-ins, failed sign-ins, uploads, refusals, restores and rollbacks, exports, user changes.",
    ),
    "col.name": ("用户名", "User"),
    "col.role": ("角色", "Role"),
    "col.disabled": ("已停用", "Disabled"),
    "col.created_at": ("创建时间", "Created"),
    "col.locked_until": ("锁定至", "Locked until"),
    "col.logged_at": ("时间", "When"),
    "col.user_name": ("用户", "User"),
    "col.action": ("操作", "Action"),
    "col.outcome": ("结果", "Outcome"),
    "col.detail": ("详情", "Detail"),
    # ------------------------------------------------------------ a shared database's rows a server left out
    "pg.refused": (
        "本服务器无法载入数据库表 {table} 中的一行（{row}）：{reason}。其余数据照常显示；"
        "请管理员运行 python -m reform repair 查看，python -m reform repair --move 将其移至隔离表",
        "This server cannot take a row of table {table} ({row}): {reason}. Everything else is shown; "
        "an administrator runs python -m reform repair to see it and repair --move to set it aside",
    ),
    "pg.refused_null": ("{column} 为空，本表要求填写", "{column} is empty where the table requires a value"),
    "pg.refused_type": ("{column} 的值不是该列的类型", "{column} holds a value of another type"),
    "pg.refused_held": ("同一主键的行已存在", "a row with the same key exists already"),
    "pg.refused_twice": ("同一主键出现两次", "the same key appears twice"),
    "pg.refused_banner": (
        "本服务器有 {count} 行共享数据无法载入，已跳过（详见下方）；请运行 python -m reform repair",
        "This server left out {count} rows of the shared database (listed below); run python -m reform repair",
    ),
    "cli.repair_none": ("没有本服务器无法载入的行", "No row that a server cannot take"),
    "cli.repair_moved": (
        "已将 {count} 行移至隔离表 reform_quarantine（原样保存，可查阅）",
        "Moved {count} rows to the table reform_quarantine (kept as they were)",
    ),
    "cli.repair_duckdb": (
        "repair 只用于 PostgreSQL 共享数据库；DuckDB 文件没有需要隔离的行",
        "repair is for a shared PostgreSQL database; a DuckDB file has no rows to set aside",
    ),
    "cli.bad_years": (
        "年度范围有误（--first-year {first}，--last-year {last}）：应为 1900–2200 年之间且起始不晚于结束",
        "Wrong years (--first-year {first}, --last-year {last}): between 1900 and 2200, the first not after the last",
    ),
    "cli.failed": (
        "{command} 未完成：{reason}（设置 REFORM_DEBUG=1 可查看详情）",
        "{command} did not finish: {reason} (REFORM_DEBUG=1 shows the details)",
    ),
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
    "cli.pending_refused": (
        "只有审核人员（团区委工作人员、管理员）可以查看待审核数据",
        "Only reviewers (district staff, administrators) may see figures awaiting review",
    ),
    "cli.sample_skipped": ("数据库非空，未载入示例数据", "The store is not empty; sample data not loaded"),
    "cli.sample_off": (
        "配置中 storage.load_sample_when_empty 为 false，未载入示例数据",
        "storage.load_sample_when_empty is false in the configuration; sample data not loaded",
    ),
    "cli.province_written": (
        "已生成规模测试数据：配置 {config}，{files} 个文件，共 {rows} 行",
        "Province-scale data written: configuration {config}, {files} files, {rows} rows",
    ),
    "cli.province_use": (
        "查看时请使用：--config {config} --db {db}（或环境变量 REFORM_CONFIG、REFORM_DB）",
        "To view it use: --config {config} --db {db} (or REFORM_CONFIG and REFORM_DB)",
    ),
}


def t(key: str, lang: str = DEFAULT, **params: Any) -> str:
    """The string for ``key`` in ``lang`` with ``params`` filled in."""
    pair = MESSAGES.get(key)
    if pair is None:
        raise KeyError(f"no UI string {key!r}")
    text = pair[1] if lang == "en" else pair[0]
    if lang == "en":  # a parameter with an English twin (``rule`` and ``rule_en``: words from config.yaml)
        params |= {k.removesuffix("_en"): v for k, v in params.items() if k.endswith("_en")}
    return text.format(**params) if params else text


_QUARTERS = ("一", "二", "三", "四")


def period_words(label: object, lang: str = DEFAULT) -> str:
    """A canonical period label as a reader says it: 2025-Q4 → 2025年第四季度, 2025 → 2025年,
    2025-03 → 2025年3月, 2025-04-14 → 2025年4月14日 (English keeps the label); none → —."""
    text = "" if label is None else str(label)
    if not text or text in ("None", "nan", "NaT"):
        return "—"
    if lang == "en":
        return text.replace("-Q", " Q")
    year, _, rest = text.partition("-")
    if not rest:
        return f"{year}年"
    if rest.startswith("Q") and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 4:
        return f"{year}年第{_QUARTERS[int(rest[1:]) - 1]}季度"
    month, _, day = rest.partition("-")
    if not month.isdigit():
        return text
    return f"{year}年{int(month)}月" + (f"{int(day)}日" if day.isdigit() else "")


def names(items: Any, lang: str = DEFAULT) -> str:
    """Names listed as a reader reads them: 白米镇、溱潼镇 (Chinese) or "白米镇, 溱潼镇"."""
    return ("、" if lang != "en" else ", ").join(str(i) for i in items)


def label(obj: Any, lang: str = DEFAULT) -> str:
    """The label of a dataset or column from the contract, in the user's language."""
    return obj.en if lang == "en" else obj.zh


def choice(column: Any, code: str, lang: str = DEFAULT) -> str:
    """An enumeration value's label (Chinese) or code (English)."""
    return column.choice_label(code) if lang != "en" else code.replace("_", " ")


_AUDIT_ZH = (  # the audit log's recorded details ("batch 7, 3 rows") as a Chinese reader reads them
    (r"\bsample batch (\d+)", r"示例批次 \1"),
    (r"\bbatch (\d+)", r"批次 \1"),
    (r"\b(\d+) rows\b", r"\1 行"),
    (r"\brows ([\d, ]+) of\b", r"第 \1 行属于"),
    (r"\bslice\b", "切片"),
    (r"\bversion (\d+)", r"数据版本 \1"),
    (r"\b(\d+) slides\b", r"\1 页"),
    (r" -> ", " → "),
    (r" \(temporary\)", "（临时密码，首次登录须修改）"),
)


def audit_detail(text: object, lang: str = DEFAULT) -> object:
    """A recorded audit detail in the reader's language. The log keeps what was written (English
    words around names and numbers); Chinese readers see those words translated, names untouched."""
    import re

    if lang == "en" or not isinstance(text, str):
        return text
    for pattern, replacement in _AUDIT_ZH:
        text = re.sub(pattern, replacement, text)
    for role in ("leader", "township", "district", "admin", "sysadmin", "secadmin", "auditor"):
        text = text.replace(f": not allowed for {role}", f"：{t(f'role.{role}')}无此权限")
    return text
