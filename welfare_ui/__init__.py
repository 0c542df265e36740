"""The Streamlit code the pages share: runtime, visitor, feedback and widgets."""
