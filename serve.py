"""Start the app: ``python serve.py [streamlit options]`` is ``streamlit run app.py`` with one fix
and the server's guards (server_guards.py: reruns, uploads and messages one tab may send).

Streamlit treats a folder named pages/ as an old-style multipage app until the first
st.navigation call of the process, so after a restart the first browser that reopens a
group's link (/group?code=...) got a "Page not found" dialog before its page. This app only
uses st.navigation; saying so before the server starts removes the dialog.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

import server_guards

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    server_guards.install()
    sys.argv = ["streamlit", "run", str(Path(__file__).with_name("app.py")), *sys.argv[1:]]
    sys.exit(cli.main())
