"""The Streamlit app's pages (`app.py` dispatches to them); each page only calls the jobs of
services/ and draws with report/."""
