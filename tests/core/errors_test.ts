/**
 * The bad-input error table: each bad call and the message it must produce. Messages name the op,
 * the shapes and, where they matter, the dtypes, so a user can fix the call without a debugger.
 */
import assert from "node:assert/strict";
import {
  add,
  argmax,
  avgPool2d,
  type Backend,
  broadcastTo,
  cast,
  concat,
  conv2d,
  exp,
  expandDims,
  gather,
  grad,
  less,
  logSumExp,
  matmul,
  max,
  maxPool2d,
  mean,
  mul,
  ones,
  pad,
  reshape,
  scatterAdd,
  slice,
  softmax,
  square,
  squeeze,
  stack,
  sum,
  sumToShape,
  take,
  type Tensor,
  tensor,
  transpose,
  tree,
  valueAndGrad,
  where,
  zeros,
} from "../../mod.ts";
import { cpuBackend } from "../../src/backend/cpu/cpu_backend.ts";

const i32 = (d: number[] | number[][]) => tensor(d, { dtype: "int32" });
const other: Backend = { ...cpuBackend, name: "other" };
// deno-lint-ignore no-explicit-any
const bad = (v: unknown) => v as any;

type Row = [label: string, call: () => unknown, message: string | RegExp, name?: string];

const TABLE: Row[] = [
  // --- matmul ---
  [
    "matmul inner dims",
    () => matmul(zeros([2, 3]), zeros([4, 5])),
    "matmul: inner dimensions differ: [2,3] x [4,5]",
  ],
  [
    "matmul vector inner dims",
    () => matmul(zeros([3]), zeros([4, 5])),
    "matmul: inner dimensions differ: [3] x [4,5]",
  ],
  [
    "matmul batch dims",
    () => matmul(zeros([2, 2, 3]), zeros([3, 3, 4])),
    "matmul: batch dimensions [2] and [3] cannot be broadcast together: [2,2,3] x [3,3,4]",
  ],
  [
    "matmul scalar",
    () => matmul(zeros([]), zeros([4, 5])),
    "matmul: operands must be at least 1-D, got [] x [4,5]",
  ],
  [
    "matmul bool",
    () => matmul(zeros([2, 3], { dtype: "bool" }), zeros([3, 4])),
    "matmul: bool operands are not supported (bool x float32); cast first",
    "TypeError",
  ],
  // --- broadcasting ---
  [
    "add broadcast",
    () => add(zeros([2, 3]), zeros([4])),
    "add: shapes cannot be broadcast together: [2,3] float32 and [4] float32",
  ],
  [
    "mul broadcast, number-free",
    () => mul(ones([3, 1, 2]), ones([4, 3])),
    "mul: shapes cannot be broadcast together: [3,1,2] float32 and [4,3] float32",
  ],
  [
    "less broadcast",
    () => less(zeros([2]), zeros([3])),
    "less: shapes cannot be broadcast together: [2] float32 and [3] float32",
  ],
  [
    "where broadcast",
    () => where(zeros([2], { dtype: "bool" }), zeros([3]), 1),
    "where: shapes cannot be broadcast together: [2] bool and [3] float32 and [] float32",
  ],
  [
    "broadcastTo",
    () => broadcastTo(zeros([3]), [2, 2]),
    "broadcastTo: cannot broadcast [3] to [2,2]",
  ],
  [
    "broadcastTo lower rank",
    () => broadcastTo(zeros([1, 2]), [2]),
    "broadcastTo: cannot broadcast [1,2] to [2]",
  ],
  // --- movement ---
  [
    "reshape size",
    () => reshape(zeros([2, 3]), [4]),
    "reshape: cannot reshape [2,3] (6 elements) to [4] (4 elements)",
  ],
  [
    "reshape -1 not a multiple",
    () => reshape(zeros([2, 3]), [4, -1]),
    "reshape: cannot reshape [2,3] (6 elements) to [4,-1]: 6 is not a multiple of 4",
  ],
  [
    "reshape two holes",
    () => reshape(zeros([2, 3]), [-1, -1]),
    "reshape: invalid target shape [-1,-1] for [2,3]",
  ],
  [
    "transpose repeated axis",
    () => transpose(zeros([2, 3]), [0, 0]),
    "transpose: [0,0] is not a permutation of the 2 axes of [2,3]",
  ],
  [
    "transpose axis out of range",
    () => transpose(zeros([2, 3]), [0, 2]),
    "transpose: [0,2] is not a permutation of the 2 axes of [2,3]",
  ],
  [
    "transpose too few axes",
    () => transpose(zeros([2, 3, 4]), [1, 0]),
    "transpose: [1,0] is not a permutation of the 3 axes of [2,3,4]",
  ],
  [
    "transpose negative duplicate (user's perm in the message)",
    () => transpose(zeros([2, 3]), [-1, 1]),
    "transpose: [-1,1] is not a permutation of the 2 axes of [2,3]",
  ],
  [
    "concat shapes",
    () => concat([zeros([2, 3]), zeros([2, 4])], 0),
    "concat: shapes must match except on axis 0: [2,3], [2,4]",
  ],
  [
    "concat ranks",
    () => concat([zeros([2, 3]), zeros([3])], 1),
    "concat: shapes must match except on axis 1: [2,3], [3]",
  ],
  [
    "concat dtypes",
    () => concat([zeros([2, 3]), zeros([1, 3], { dtype: "int32" })]),
    "concat: dtypes differ: [2,3] float32, [1,3] int32",
    "TypeError",
  ],
  ["concat nothing", () => concat([]), "concat: needs at least one tensor"],
  [
    "concat of a tensor instead of a list",
    () => concat(bad(zeros([2]))),
    "concat: expected an array of tensors, got Tensor [2] float32",
    "TypeError",
  ],
  [
    "stack of a tensor instead of a list",
    () => stack(bad(zeros([2]))),
    "stack: expected an array of tensors, got Tensor [2] float32",
    "TypeError",
  ],
  [
    "reshape to a non-array",
    () => reshape(zeros([2]), bad(2)),
    "reshape: the target shape must be an array of integers, got number 2",
    "TypeError",
  ],
  [
    "slice spec not an array",
    () => slice(zeros([3, 3]), bad([null, 1])),
    "slice: the spec for axis 1 must be [start, end, step] or null, got 1",
    "TypeError",
  ],
  [
    "concat axis",
    () => concat([zeros([2]), zeros([2])], 1),
    "concat: axis 1 is out of range for a tensor of rank 1 [2] (valid axes are -1 to 0)",
    "RangeError",
  ],
  [
    "stack shapes",
    () => stack([zeros([2, 3]), zeros([2, 4])]),
    "stack: shapes differ: [2,3], [2,4]",
  ],
  [
    "squeeze non-1 axis",
    () => squeeze(zeros([1, 3]), 1),
    "squeeze: axis 1 of [1,3] has size 3, not 1",
  ],
  [
    "expandDims axis",
    () => expandDims(zeros([3]), 3),
    "expandDims: axis 3 is out of range for a tensor of rank 2 (valid axes are -2 to 1)",
  ],
  [
    "slice step",
    () => slice(zeros([3]), [[0, 3, 0]]),
    "slice: step must be a positive integer, got 0 on axis 0",
    "RangeError",
  ],
  [
    "slice too many specs",
    () => slice(zeros([3]), [null, null]),
    "slice: 2 slice specs for a tensor of rank 1 [3]",
  ],
  [
    "slice fractional bound",
    () => slice(zeros([3]), [[0.5]]),
    "slice: bound 0.5 on axis 0 is not an integer",
    "TypeError",
  ],
  [
    "pad negative",
    () => pad(zeros([3]), [[-1, 0]]),
    "pad: widths [[-1,0]] must be non-negative integer pairs for at most 1 axes of [3]",
  ],
  // --- gather / scatterAdd / take ---
  [
    "gather index out of range",
    () => gather(zeros([2, 3]), i32([[5], [0]]), 1),
    "gather: index 5 is out of range for axis 1 of size 3 (shape [2,3])",
    "RangeError",
  ],
  [
    "gather negative index out of range",
    () => gather(zeros([2, 3]), i32([[0], [-4]]), 1),
    "gather: index -4 is out of range for axis 1 of size 3 (shape [2,3])",
    "RangeError",
  ],
  [
    "gather float indices",
    () => gather(zeros([2, 3]), zeros([2, 1]), 1),
    "gather: indices must be int32, got float32",
    "TypeError",
  ],
  [
    "gather index rank",
    () => gather(zeros([2, 3]), i32([1]), 1),
    "gather: indices [1] must have the rank of [2,3]",
  ],
  [
    "gather index shape",
    () => gather(zeros([2, 3]), zeros([3, 1], { dtype: "int32" }), 1),
    "gather: indices [3,1] must match [2,3] on every axis but 1",
  ],
  [
    "gather axis",
    () => gather(zeros([2, 3]), i32([[0]]), 2),
    "gather: axis 2 is out of range for a tensor of rank 2 [2,3] (valid axes are -2 to 1)",
    "RangeError",
  ],
  [
    "take index out of range (named take, not gather)",
    () => take(zeros([2, 3]), i32([3]), 1),
    "take: index 3 is out of range for axis 1 of size 3 (shape [2,3])",
    "RangeError",
  ],
  [
    "take float indices",
    () => take(zeros([2, 3]), tensor([0]), 0),
    "take: indices must be int32, got float32",
    "TypeError",
  ],
  [
    "scatterAdd index out of range",
    () => scatterAdd(zeros([2, 3]), i32([[5], [0]]), zeros([2, 1]), 1),
    "scatterAdd: index 5 is out of range for axis 1 of size 3 (shape [2,3])",
    "RangeError",
  ],
  [
    "scatterAdd updates shape",
    () => scatterAdd(zeros([2, 3]), i32([[1], [0]]), zeros([2, 2]), 1),
    "scatterAdd: updates [2,2] and indices [2,1] must agree, and match [2,3] on every axis but 1",
  ],
  [
    "scatterAdd dtypes",
    () => scatterAdd(zeros([2, 3]), i32([[1], [0]]), zeros([2, 1], { dtype: "float64" }), 1),
    "scatterAdd: dtypes differ: [2,3] float32, [2,1] float64",
    "TypeError",
  ],
  // --- conv / pool ---
  [
    "conv2d channel mismatch",
    () => conv2d(zeros([1, 2, 5, 5]), zeros([4, 3, 3, 3])),
    "conv2d: weight [4,3,3,3] expects 3 input channels (groups=1), input [1,2,5,5] has 2",
  ],
  [
    "conv2d non-4D input",
    () => conv2d(zeros([2, 5, 5]), zeros([4, 2, 3, 3])),
    "conv2d: input must be 4-D [N,C,H,W], got [2,5,5]",
  ],
  [
    "conv2d non-4D weight",
    () => conv2d(zeros([1, 2, 5, 5]), zeros([2, 3, 3])),
    "conv2d: weight must be 4-D [O,C/groups,kH,kW], got [2,3,3]",
  ],
  [
    "conv2d integer input",
    () => conv2d(zeros([1, 2, 5, 5], { dtype: "int32" }), zeros([1, 2, 3, 3])),
    "conv2d: expects floating-point inputs, got [1,2,5,5] int32, [1,2,3,3] float32",
    "TypeError",
  ],
  [
    "conv2d mixed float dtypes",
    () => conv2d(zeros([1, 2, 5, 5], { dtype: "float64" }), zeros([1, 2, 3, 3])),
    "conv2d: dtypes differ: [1,2,5,5] float64, [1,2,3,3] float32",
    "TypeError",
  ],
  [
    "conv2d kernel larger than input",
    () => conv2d(zeros([1, 2, 2, 4]), zeros([1, 2, 3, 3])),
    "conv2d: window 3 does not fit input height 2 with padding 0+0 (input [1,2,2,4])",
  ],
  [
    "conv2d dilated kernel larger than input",
    () => conv2d(zeros([1, 1, 5, 4]), zeros([1, 1, 2, 2]), { dilation: 4 }),
    "conv2d: window 5 (kernel 2, dilation 4) does not fit input width 4 with padding 0+0 " +
    "(input [1,1,5,4])",
  ],
  [
    "conv2d groups",
    () => conv2d(zeros([1, 3, 5, 5]), zeros([2, 1, 3, 3]), { groups: 2 }),
    "conv2d: groups=2 must divide input channels 3 and output channels 2",
  ],
  [
    "conv2d stride 0",
    () => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), { stride: 0 }),
    /^conv2d: stride and dilation must be positive integers, padding non-negative, groups >= 1 \(got \{"stride":\[0,0\]/,
    "RangeError",
  ],
  [
    "conv2d fractional stride",
    () => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), { stride: 1.5 }),
    "conv2d: stride must be an integer or a pair of integers, got 1.5",
    "TypeError",
  ],
  [
    "maxPool2d window too large",
    () => maxPool2d(zeros([1, 1, 3, 3]), 5),
    "maxPool2d: window 5 does not fit input height 3 with padding 0+0 (input [1,1,3,3])",
  ],
  [
    "maxPool2d non-4D",
    () => maxPool2d(zeros([1, 3, 3]), 2),
    "maxPool2d: input must be 4-D [N,C,H,W], got [1,3,3]",
  ],
  [
    "maxPool2d padding over half the kernel",
    () => maxPool2d(zeros([1, 1, 3, 3]), 2, { padding: 2 }),
    "maxPool2d: padding [2,2,2,2] must be at most half the kernel [2,2]",
    "RangeError",
  ],
  [
    "avgPool2d integer input",
    () => avgPool2d(zeros([1, 1, 3, 3], { dtype: "int32" }), 2),
    "avgPool2d: expects floating-point inputs, got [1,1,3,3] int32",
    "TypeError",
  ],
  // --- reductions ---
  [
    "sum axis out of range",
    () => sum(zeros([2, 3]), { axis: 2 }),
    "sum: axis 2 is out of range for a tensor of rank 2 [2,3] (valid axes are -2 to 1)",
    "RangeError",
  ],
  [
    "sum repeated axis",
    () => sum(zeros([2, 3]), { axis: [1, -1] }),
    "sum: repeated axis in [1,-1] for a tensor of shape [2,3]",
  ],
  [
    "sum of a scalar with an axis",
    () => sum(tensor(1), { axis: 0 }),
    "sum: axis 0 is out of range for a tensor of rank 0 [] (valid axes are none)",
    "RangeError",
  ],
  [
    "mean negative axis out of range",
    () => mean(zeros([2, 3]), { axis: -3 }),
    "mean: axis -3 is out of range for a tensor of rank 2 [2,3] (valid axes are -2 to 1)",
    "RangeError",
  ],
  [
    "max fractional axis",
    () => max(zeros([2, 3]), { axis: 0.5 }),
    "max: axis must be an integer, got 0.5",
    "TypeError",
  ],
  [
    "max of an empty axis",
    () => max(zeros([2, 0]), { axis: 1 }),
    "max: cannot reduce an empty axis of [2,0]",
  ],
  [
    "argmax axis",
    () => argmax(zeros([2, 3]), { axis: 2 }),
    "argmax: axis 2 is out of range for a tensor of rank 2 [2,3] (valid axes are -2 to 1)",
    "RangeError",
  ],
  [
    "logSumExp axis",
    () => logSumExp(zeros([2, 3]), { axis: 5 }),
    /^logSumExp: axis 5 is out of range for a tensor of rank 2 \[2,3\]/,
    "RangeError",
  ],
  [
    "softmax axis",
    () => softmax(zeros([2, 3]), 2),
    "softmax: axis 2 is out of range for a tensor of rank 2 [2,3] (valid axes are -2 to 1)",
    "RangeError",
  ],
  // --- where / cast / dtypes ---
  [
    "where non-bool condition",
    () => where(zeros([2]), 1, 0),
    'where: condition must be bool, got [2] float32; compare first (e.g. greater(x, 0)) or cast(cond, "bool")',
    "TypeError",
  ],
  [
    "unknown dtype in zeros",
    () => zeros([2], { dtype: bad("float16") }),
    'zeros: unknown dtype "float16"; expected one of bool, int32, float32, float64',
    "TypeError",
  ],
  [
    "unknown dtype in tensor",
    () => tensor([1], { dtype: bad("int64") }),
    'tensor: unknown dtype "int64"; expected one of bool, int32, float32, float64',
    "TypeError",
  ],
  [
    "unknown dtype in cast",
    () => cast(zeros([1]), bad("int8")),
    'cast: unknown dtype "int8"; expected one of bool, int32, float32, float64',
    "TypeError",
  ],
  // --- creation ---
  [
    "tensor ragged",
    () => tensor([[1, 2], [3]]),
    "tensor: ragged nested array: value[0] has shape [2] but value[1] has [1]",
  ],
  [
    "tensor ragged depth",
    () => tensor([[[1], [2]], [[3], 4]]),
    "tensor: ragged nested array: value[1][0] has shape [1] but value[1][1] has []",
  ],
  [
    "tensor non-integer int32",
    () => tensor([1, 2.5], { dtype: "int32" }),
    "tensor: value 2.5 at flat index 1 is not an integer (dtype int32)",
    "TypeError",
  ],
  [
    "tensor string element",
    () => tensor(bad([1, "2"])),
    "tensor: value[1] is string, not a number or boolean",
    "TypeError",
  ],
  [
    "tensor shape/size mismatch",
    () => tensor([1, 2, 3], { shape: [2, 2] }),
    "tensor: shape [2,2] needs 4 elements, data has 3",
  ],
  [
    "zeros negative dim",
    () => zeros([2, -1]),
    "zeros: a shape must be an array of non-negative integers, got [2,-1]",
    "TypeError",
  ],
  // --- non-tensor arguments ---
  [
    "string into add",
    () => add(bad("a"), zeros([1])),
    'add: expected a Tensor or number, got string "a"',
    "TypeError",
  ],
  [
    "plain array into add",
    () => add(zeros([1]), bad([1, 2])),
    "add: expected a Tensor or number, got a plain array (wrap it with tensor(...))",
    "TypeError",
  ],
  [
    "plain array into exp",
    () => exp(bad([1, 2])),
    "exp: expected a Tensor, got a plain array (wrap it with tensor(...))",
    "TypeError",
  ],
  [
    "typed array into sum",
    () => sum(bad(new Float32Array(2))),
    "sum: expected a Tensor, got a Float32Array (wrap it with tensor(...))",
    "TypeError",
  ],
  [
    "undefined into exp",
    () => exp(bad(undefined)),
    "exp: expected a Tensor, got undefined",
    "TypeError",
  ],
  [
    "plain array into matmul",
    () => matmul(bad([[1]]), zeros([1, 1])),
    "matmul: expected Tensors, got a plain array (wrap it with tensor(...))",
    "TypeError",
  ],
  [
    "object into reshape",
    () => reshape(bad({ shape: [1] }), [1]),
    "reshape: expected a Tensor, got an object",
    "TypeError",
  ],
  [
    "number into where condition",
    () => where(bad(1), 1, 0),
    "where: expected a Tensor, got number 1",
    "TypeError",
  ],
  [
    "non-tensor in concat list",
    () => concat([zeros([1]), bad("x")]),
    'concat: expected a Tensor, got string "x"',
    "TypeError",
  ],
  // --- composites and helpers name themselves ---
  ["square of a string", () => square(bad("x")), 'square: expected a Tensor, got string "x"'],
  [
    "sumToShape with a bad shape",
    () => sumToShape(tensor([1, 2]), bad([2, "a"])),
    'sumToShape: a shape must be an array of non-negative integers, got [2,"a"]',
  ],
  [
    "tree.map without a function",
    () => tree.map(bad(3), {}),
    "tree.map: the first argument must be a function, got number",
  ],
  [
    "an output too large to allocate",
    () => broadcastTo(zeros([1]), [1e6, 1e6]),
    "broadcastTo: cannot allocate the output [1000000,1000000] float32 (4000000000000 bytes) from inputs [1] float32",
    "RangeError",
  ],
  // --- autodiff ---
  [
    "grad on an int32 argument",
    () => grad((x: Tensor) => sum(x))(i32([1, 2])),
    /^grad: argument 0 has dtype int32; only floating-point tensors have gradients/,
    "TypeError",
  ],
  [
    "valueAndGrad on a nested int32 leaf",
    () => valueAndGrad((p: { w: Tensor }) => sum(p.w))({ w: i32([1]) }),
    /argument 0 at "w" has dtype int32; only floating-point tensors have gradients/,
    "TypeError",
  ],
  // --- backends ---
  [
    "mixing backends",
    () => add(tensor([1, 2]), tensor([1, 2], { backend: other })),
    "add: inputs live on different backends ([2] float32 on cpu, [2] float32 on other); " +
    "ops never copy between backends implicitly. Move one first, e.g. " +
    'x = await toBackend(x, "cpu") (it takes whole parameter trees too)',
  ],
  [
    "mixing backends in matmul",
    () => matmul(tensor([[1]], { backend: other }), tensor([[1]])),
    /^matmul: inputs live on different backends \(\[1,1\] float32 on other, \[1,1\] float32 on cpu\); .*Move one first/,
  ],
];

for (const [label, call, message, name] of TABLE) {
  Deno.test(`error: ${label}`, () => {
    let thrown: unknown;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof Error, `${label}: expected an Error, got ${String(thrown)}`);
    if (typeof message === "string") assert.equal(thrown.message, message);
    else assert.match(thrown.message, message);
    if (name) assert.equal(thrown.name, name);
  });
}

Deno.test("error table: every message names its op first", () => {
  for (const [label, call] of TABLE) {
    try {
      call();
      assert.fail(`${label}: did not throw`);
    } catch (e) {
      assert.match((e as Error).message, /^[a-zA-Z0-9.]+: /, label);
    }
  }
});

Deno.test("error: item() on a tensor of several elements rejects", async () => {
  await assert.rejects(() => zeros([3]).item(), {
    message: "item: tensor [3] has 3 elements, not 1",
  });
});

Deno.test("error: a failed op leaves its inputs intact", () => {
  const x = tensor([1, 2, 3]);
  assert.throws(() => reshape(x, [2, 2]));
  assert.throws(() => add(x, zeros([2])));
  assert.deepEqual([...x.dataSync()], [1, 2, 3]);
  assert.deepEqual(x.shape, [3]);
});

Deno.test("error: tensors on one foreign backend work together", () => {
  const y = add(tensor([1, 2], { backend: other }), tensor([3, 4], { backend: other }));
  assert.equal(y.backend, other);
  assert.deepEqual([...y.dataSync()], [4, 6]);
  // Numbers are lifted onto the tensor's backend.
  assert.equal(mul(tensor([1], { backend: other }), 2).backend, other);
});
