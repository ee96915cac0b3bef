# cython: language_level=3
"""`CompiledFields` (see `_fields.pyx`), for the compiled modules whose classes extend it."""


cdef class CompiledFields:
    cdef dict _fields(self)
    cdef dict _attributes(self)
