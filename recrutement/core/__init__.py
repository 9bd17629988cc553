"""The shared kernel every domain uses, and which imports no domain.

enums (LabelledEnum, the EnumString column type), workflow (Transition), models (the
audit journal: record_event, history_of), threads (the message thread), tasks (background
tasks), forms and validators, money, french (wording and Jinja filters), spreadsheet (the
one CSV/XLSX writer), ratelimit, time, types, urls, errors (ServiceError).
"""
