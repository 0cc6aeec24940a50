"""Page modules of the Streamlit app: read inputs, call the core, draw. No modelling here."""
