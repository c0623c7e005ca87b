/**
 * The seed's MNIST network: PyTorch's MNIST example `Net`, with the same parameter names
 * (`conv1.weight` ... `fc2.bias`), so its checkpoints load into PyTorch and back.
 */
import { nn, type Tensor } from "../../mod.ts";

/** Options of `seedNet`. */
export interface SeedNetOptions {
  /** Output classes (default 10). */
  classes?: number;
  /** Keep the two dropout layers (default true; the fine-tuning example leaves them out). */
  dropout?: boolean;
}

/**
 * conv1 1->32 3x3, relu, conv2 32->64 3x3, relu, max-pool 2, dropout 0.25, flatten,
 * fc1 9216->128, relu, dropout 0.5, fc2 128->classes, log-softmax.
 */
export function seedNet(opts: SeedNetOptions = {}): nn.Model<Tensor, Tensor> {
  const { classes = 10, dropout = true } = opts;
  return nn.sequential({
    conv1: nn.conv2d(1, 32, 3),
    relu1: nn.relu(),
    conv2: nn.conv2d(32, 64, 3),
    relu2: nn.relu(),
    pool: nn.maxPool2d(2),
    ...(dropout ? { dropout1: nn.dropout(0.25) } : {}),
    flatten: nn.flatten(),
    fc1: nn.linear(9216, 128),
    relu3: nn.relu(),
    ...(dropout ? { dropout2: nn.dropout(0.5) } : {}),
    fc2: nn.linear(128, classes),
    out: nn.logSoftmax(),
  });
}
