"""A bare Streamlit page: what start-up costs before the app adds anything."""

import streamlit as st

st.title("Hello, world")
