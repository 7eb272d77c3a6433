"""The Streamlit app's pages (`app.py` dispatches to them); each page only calls the public
functions of scenarios/, sim/, optimise/ and report/."""
