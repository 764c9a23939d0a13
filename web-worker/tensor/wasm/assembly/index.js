"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.transpose = exports.softmax = exports.reduce = exports.unary = exports.binaryStrided = exports.binary = exports.matmulWorkspaceBytes = exports.matmulBatched = exports.matmul = void 0;
exports.heapBase = heapBase;
// The module's exports. Every pointer is a byte address in this module's memory
// that the host allocated above heapBase(); every count is in f32 elements.
var matmul_1 = require("./matmul");
Object.defineProperty(exports, "matmul", { enumerable: true, get: function () { return matmul_1.matmul; } });
Object.defineProperty(exports, "matmulBatched", { enumerable: true, get: function () { return matmul_1.matmulBatched; } });
Object.defineProperty(exports, "matmulWorkspaceBytes", { enumerable: true, get: function () { return matmul_1.matmulWorkspaceBytes; } });
var binary_1 = require("./binary");
Object.defineProperty(exports, "binary", { enumerable: true, get: function () { return binary_1.binary; } });
Object.defineProperty(exports, "binaryStrided", { enumerable: true, get: function () { return binary_1.binaryStrided; } });
var unary_1 = require("./unary");
Object.defineProperty(exports, "unary", { enumerable: true, get: function () { return unary_1.unary; } });
var reduce_1 = require("./reduce");
Object.defineProperty(exports, "reduce", { enumerable: true, get: function () { return reduce_1.reduce; } });
var softmax_1 = require("./softmax");
Object.defineProperty(exports, "softmax", { enumerable: true, get: function () { return softmax_1.softmax; } });
var transpose_1 = require("./transpose");
Object.defineProperty(exports, "transpose", { enumerable: true, get: function () { return transpose_1.transpose; } });
/** First byte above the module's static data, 64-byte aligned: the host's allocator owns memory from here on. */
function heapBase() {
    return (__heap_base + 63) & ~63;
}
