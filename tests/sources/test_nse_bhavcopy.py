"""NSE bhavcopy: the real legacy file and a UDiFF sample written here from NSE's published layout."""

from datetime import date

import pytest

from valuation_platform.sources.errors import SourceError
from valuation_platform.sources.nse.bhavcopy import LEGACY, UDIFF, archive_url, file_name, layout_for, parse_bhavcopy


def test_real_legacy_file(shared_fixtures):
    payload = (shared_fixtures / "nse" / "bhavcopy_cm01DEC2017bhav.csv").read_bytes()
    parsed = parse_bhavcopy(payload, document="cm01DEC2017bhav.csv", expected=date(2017, 12, 1))
    assert parsed.layout == LEGACY and not parsed.errors and len(parsed.rows) == 1813
    [tcs] = [r for r in parsed.rows if r["nse_symbol"] == "TCS" and r["series"] == "EQ"]
    # TCS,EQ,2635,2668,2621.5,2629.95,2630,2637,515572,1365104150.75,01-DEC-2017,37693,INE467B01029
    assert tcs == {"nse_symbol": "TCS", "series": "EQ", "isin": "INE467B01029", "trade_date": date(2017, 12, 1),
                   "open": 2635.0, "high": 2668.0, "low": 2621.5, "close": 2629.95, "last": 2630.0,
                   "prev_close": 2637.0, "volume": 515572, "turnover": 1365104150.75, "trades": 37693}


UDIFF_SAMPLE = (
    "TradDt,BizDt,Sgmt,Src,FinInstrmTp,FinInstrmId,ISIN,TckrSymb,SctySrs,XpryDt,FininstrmActlXpryDt,StrkPric,"
    "OptnTp,FinInstrmNm,OpnPric,HghPric,LwPric,ClsPric,LastPric,PrvsClsgPric,UndrlygPric,SttlmPric,OpnIntrst,"
    "ChngInOpnIntrst,TtlTradgVol,TtlTrfVal,TtlNbOfTxsExctd,SsnId,NewBrdLotQty,Rmks,Rsvd1,Rsvd2,Rsvd3,Rsvd4\n"
    "2024-07-08,2024-07-08,CM,NSE,STK,2885,INE002A01018,RELIANCE,EQ,,,,,RELIANCE INDUSTRIES LTD,3200.00,3210.50,"
    "3165.00,3176.35,3175.00,3198.65,,3176.35,,,4960354,15819367251.55,215402,F1,1,,,,,\n"
    "2024-07-08,2024-07-08,CM,NSE,STK,1594,INE009A01021,INFY,EQ,,,,,INFOSYS LIMITED,1660.00,1670.00,1650.00,"
    "abc,1655.00,1661.20,,1656.00,,,100,1000.00,10,F1,1,,,,,\n"
)


def test_udiff_sample_and_a_bad_row():
    parsed = parse_bhavcopy(UDIFF_SAMPLE.encode(), document="udiff", expected=date(2024, 7, 8))
    assert parsed.layout == UDIFF
    [rel] = parsed.rows
    assert (rel["nse_symbol"], rel["trade_date"], rel["close"], rel["prev_close"], rel["volume"], rel["trades"]) \
        == ("RELIANCE", date(2024, 7, 8), 3176.35, 3198.65, 4960354, 215402)
    [error] = parsed.errors
    assert error.field == "line 3" and "abc" in error.reason


def test_layout_by_date():
    assert layout_for(date(2024, 7, 5)) == LEGACY and layout_for(date(2024, 7, 8)) == UDIFF
    assert file_name(date(2017, 12, 1)) == "cm01DEC2017bhav.csv"
    assert file_name(date(2024, 7, 8)) == "BhavCopy_NSE_CM_0_0_0_20240708_F_0000.csv"
    assert archive_url(date(2017, 12, 1)).endswith("/content/historical/EQUITIES/2017/DEC/cm01DEC2017bhav.csv.zip")
    with pytest.raises(SourceError):  # a legacy file for a UDiFF date is the wrong file
        parse_bhavcopy(b"SYMBOL,SERIES,OPEN,HIGH,LOW,CLOSE,LAST,PREVCLOSE,TOTTRDQTY,TOTTRDVAL,TIMESTAMP,"
                       b"TOTALTRADES,ISIN,\n", document="x", expected=date(2024, 7, 9))
    with pytest.raises(SourceError):
        parse_bhavcopy(b"a,b,c\n1,2,3\n", document="x")
