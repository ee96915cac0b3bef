# cython: language_level=3
"""Python classes whose hot attributes are C fields (`CompiledFields`), for the compiled code
of the trees (`_hoeffding`) and of the class priors (`_priors`) to read without a lookup by
name."""

cimport cython


@cython.auto_pickle(False)
cdef class CompiledFields:
    """The base of a Python class some of whose attributes are C fields, declared by a subclass
    (`cdef public`) and returned by its `_fields`, in the order its Python original sets them:
    compiled code reads them without a lookup by name, Python code as any attribute.

    The object pickles, copies and measures (`object_size`) as an instance of the Python
    original, whose `__dict__` holds every attribute: its state is that of the original, fields
    first, and a state pickled from the original loads into it."""

    cdef dict _fields(self):
        """The C fields, by name."""
        return {}

    cdef dict _attributes(self):
        """Every attribute, as the original's `__dict__` holds them."""
        cdef dict attributes = self._fields()
        attributes.update(self.__dict__)
        return attributes

    def __getstate__(self) -> dict:
        return self._attributes()

    def __setstate__(self, state: dict) -> None:
        for name, value in state.items():
            setattr(self, name, value)
