/**
 * Sums a training loss over an epoch. On the CPU it reads each batch's value at once (free);
 * on a device it adds the batch losses into a one-value tensor there, so a training step needs
 * no host round trip, and the sum crosses to the host only when read.
 */
import { Tensor } from '../tensor';
import { addInto, mulScalar } from '../ops/elementwise';

export class LossMeter {
  private host = 0;
  private device: Tensor | null = null;

  /** Adds `weight` × the one-value `loss` (call inside the step's tidy). */
  add(loss: Tensor, weight: number): void {
    if (loss.device === 'cpu') {
      this.host += loss.item() * weight;
      return;
    }
    if (!this.device) this.device = Tensor.empty([1], 'float32', loss.device, true).keep();
    addInto(this.device, mulScalar(loss.view([1]), weight));
  }

  /** The sum so far (synchronises a device). */
  get total(): number {
    return this.host + (this.device ? this.device.item() : 0);
  }

  dispose(): void {
    this.device?.dispose();
    this.device = null;
  }
}
