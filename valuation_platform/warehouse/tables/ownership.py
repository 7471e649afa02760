"""Raw tables written by the ownership ingestion assets (SEC Form 4 and Form 13F)."""

from __future__ import annotations

from valuation_platform.warehouse.tables import TableSpec

FORM4_FILINGS = TableSpec(
    schema="raw",
    name="sec_form4_filings",
    columns={
        "accession": "text not null",
        "form_type": "text not null",
        "filing_date": "date not null",
        "filer_ciks": "text not null",  # JSON list: every CIK the index/feed lists for the accession
        "archive_cik": "bigint not null",  # the CIK whose folder was read
        "discovered_via": "text not null",  # daily_index | current_feed
        "status": "text not null",  # loaded | quarantined
        "n_rows": "integer",
        "reason": "text",
    },
    key=("accession",),
    indexes=(("filing_date",),),
    comment="Form 4 / 4/A filings discovered per filing date and what became of each",
)

FORM4_ROWS = TableSpec(
    schema="raw",
    name="sec_form4_transactions",
    columns={
        "accession": "text not null",
        "row_number": "integer not null",
        "document_type": "text not null",
        "is_amendment": "boolean not null",
        "date_of_original_submission": "date",
        "period_of_report": "date not null",
        "filing_date": "date not null",
        "ticker": "text",
        "issuer_cik": "bigint not null",
        "issuer_name": "text",
        "insider_cik": "bigint not null",
        "insider_name": "text",
        "insider_title": "text",
        "is_director": "boolean",
        "is_officer": "boolean",
        "is_ten_percent_owner": "boolean",
        "is_other": "boolean",
        "reporting_owner_ciks": "text not null",  # JSON list in filing order
        "reporting_owner_key": "text not null",  # sorted CIKs joined by ',': what an amendment must match
        "n_reporting_owners": "integer not null",
        "record_type": "text not null",  # transaction | holding
        "is_derivative": "boolean not null",
        "security_title": "text",
        "transaction_date": "date",
        "deemed_execution_date": "date",
        "transaction_code": "text",
        "equity_swap_involved": "boolean",
        "acquired_disposed": "text",
        "shares": "double precision",
        "price_per_share": "double precision",
        "total_value": "double precision",
        "shares_owned_after": "double precision",
        "direct_indirect": "text",
        "nature_of_ownership": "text",
        "conversion_or_exercise_price": "double precision",
        "exercise_date": "date",
        "expiration_date": "date",
        "underlying_security_title": "text",
        "underlying_shares": "double precision",
        "footnotes": "text",  # JSON object: footnote id -> text, for the footnotes this row cites
    },
    key=("accession", "row_number"),
    indexes=(("issuer_cik", "transaction_date"), ("filing_date",)),
    comment="Form 4 table lines (non-derivative and derivative transactions and holdings), as filed",
)

THIRTEENF_FILINGS = TableSpec(
    schema="raw",
    name="sec_13f_filings",
    columns={
        "accession": "text not null",
        "filer_cik": "bigint not null",
        "filer_name": "text",
        "submission_type": "text not null",
        "report_period": "date not null",
        "filing_date": "date not null",
        "is_amendment": "boolean not null",
        "amendment_no": "integer",
        "amendment_type": "text",  # RESTATEMENT | NEW HOLDINGS (amendments only)
        "report_type": "text",
        "form13f_file_number": "text",
        "table_entry_total": "bigint",  # cover page figures (XML filings only)
        "table_value_total": "bigint",
        "origin": "text not null",  # xml | dataset:<label>
        "n_holdings": "integer not null",
    },
    key=("accession",),
    indexes=(("report_period", "filer_cik"),),
    comment="13F-HR cover pages (one row per filing, amendments included)",
)

THIRTEENF_HOLDINGS = TableSpec(
    schema="raw",
    name="sec_13f_holdings",
    columns={
        "accession": "text not null",
        "row_number": "integer not null",
        "filer_cik": "bigint not null",
        "report_period": "date not null",
        "filing_date": "date not null",
        "cusip": "text not null",
        "issuer_name": "text",
        "title_of_class": "text",
        "figi": "text",
        "value_reported": "bigint not null",
        "value_usd": "bigint not null",
        "value_unit": "text not null",  # thousands (filed before 2023-01-03) | dollars
        "shares": "bigint not null",
        "share_type": "text not null",  # SH | PRN
        "put_call": "text",  # PUT | CALL: options on the security, never part of share counts
        "investment_discretion": "text",
        "other_manager": "text",
        "voting_sole": "bigint",
        "voting_shared": "bigint",
        "voting_none": "bigint",
    },
    key=("accession", "row_number"),
    indexes=(("report_period", "cusip"),),
    comment="13F information table rows, as filed (amendments are applied in dbt)",
)

OWNERSHIP_TABLES = (FORM4_FILINGS, FORM4_ROWS, THIRTEENF_FILINGS, THIRTEENF_HOLDINGS)
