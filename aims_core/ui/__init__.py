"""Streamlit widgets and page bodies shared by the pages (the only Streamlit-aware package)."""
