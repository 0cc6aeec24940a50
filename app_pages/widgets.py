"""Small drawing helpers shared by pages."""

import pandas as pd
import streamlit as st

from impact_screen.downloads import csv_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_buttons(frame: pd.DataFrame, stem: str, sheet: str, key: str) -> None:
    """CSV and XLSX downloads of one table, side by side."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("Download CSV", csv_bytes(frame), f"{stem}.csv", "text/csv", key=f"{key}_csv")
    right.download_button(
        "Download XLSX", xlsx_bytes({sheet: frame}), f"{stem}.xlsx", XLSX, key=f"{key}_xlsx"
    )
