/* A CPython extension module with a reference leak: keep(obj) takes a new reference it never drops, the way
 * a binding forgets a Py_DECREF on an error path. keep_fixed(obj) is the same call without the leak. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *keep(PyObject *self, PyObject *obj) {
    (void)self;
    Py_INCREF(obj);
    Py_RETURN_NONE;
}

static PyObject *keep_fixed(PyObject *self, PyObject *obj) {
    (void)self;
    (void)obj;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"keep", keep, METH_O, "Takes a reference to obj and never drops it."},
    {"keep_fixed", keep_fixed, METH_O, "Takes no reference."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "refleak", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_refleak(void) { return PyModule_Create(&module); }
