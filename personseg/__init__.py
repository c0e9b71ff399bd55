__version__ = "0.1.0"

_API = ("segment", "segment_video", "load_model", "Segmenter", "Segmentation")

def __getattr__(name):
    "`personseg.segment`, `personseg.load_model`, ...: the Python API (`personseg.api`), imported on first use."
    if name in _API:
        from personseg import api
        return getattr(api, name)
    raise AttributeError(f"module 'personseg' has no attribute {name!r}")

def __dir__(): return sorted([*globals(), *_API])
