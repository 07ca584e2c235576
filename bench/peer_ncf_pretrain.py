"""The PyTorch peer's NeuMF with pre-training, as the NCF reference code does it (He et al. 2017).

GMF and MLP are trained with Adam 1e-3 (batch 256, 4 fresh negatives per positive), each part's
weights kept at its best test epoch (the reference code saves a part whenever its test HR@10
improves); NeuMF then starts from them with alpha 0.5 and is fine-tuned by plain SGD at 1e-3,
the test set scored at the start and after every epoch. The model, sampler and evaluation are
the peer's own (../shared/peers/torch_ncf.py); this script only adds the pre-training stages.

    /usr/bin/python3 bench/peer_ncf_pretrain.py --stage gmf --factors 8 --save /tmp/gmf8.pt
    /usr/bin/python3 bench/peer_ncf_pretrain.py --stage mlp --layers 64,32,16,8 --save /tmp/mlp8.pt
    /usr/bin/python3 bench/peer_ncf_pretrain.py --stage neumf --factors 8 --layers 64,32,16,8 --gmf /tmp/gmf8.pt --mlp /tmp/mlp8.pt

The peers are looked up in NEUREC_PEERS_DIR, else ../shared/peers beside the repository.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

PEERS = os.environ.get("NEUREC_PEERS_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "peers")
if not os.path.isfile(os.path.join(PEERS, "torch_ncf.py")):
    sys.exit(f"peer_ncf_pretrain: no torch_ncf.py in {PEERS}; set NEUREC_PEERS_DIR to the peers folder")
sys.path.insert(0, PEERS)
from movielens import NcfData  # noqa: E402
from torch_ncf import NCF, evaluate, sample_epoch  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--stage", choices=["gmf", "mlp", "neumf"], required=True)
    p.add_argument("--data", default="ml-1m-ncf")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--factors", type=int, default=8)
    p.add_argument("--layers", default="64,32,16,8")
    p.add_argument("--alpha", type=float, default=0.5)
    p.add_argument("--gmf")
    p.add_argument("--mlp")
    p.add_argument("--save")
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    if a.stage == "neumf" and not (a.gmf and a.mlp):
        p.error("--stage neumf needs --gmf and --mlp (the state files the gmf and mlp stages saved)")
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    data = NcfData(a.data)
    train_keys = np.sort(data.train_user * data.n_items + data.train_item)
    layers = [int(x) for x in a.layers.split(",")]
    model = NCF(a.stage, data.n_users, data.n_items, a.factors, layers)
    if a.stage == "neumf":
        g, m = torch.load(a.gmf), torch.load(a.mlp)
        state = model.state_dict()
        for k, v in list(g.items()) + list(m.items()):
            if not k.startswith("predict"):
                state[k] = v
        state["predict.weight"] = torch.cat([a.alpha * g["predict.weight"], (1 - a.alpha) * m["predict.weight"]], dim=1)
        state["predict.bias"] = a.alpha * g["predict.bias"] + (1 - a.alpha) * m["predict.bias"]
        model.load_state_dict(state)
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(a.seed)
    hr, ndcg = evaluate(model, data, "cpu")
    print(f"epoch   0 HR@10 {hr:.4f} NDCG@10 {ndcg:.4f}", flush=True)
    hist = [dict(epoch=0, hr10=hr, ndcg10=ndcg)]
    for epoch in range(1, a.epochs + 1):
        u, i, y = sample_epoch(data, train_keys, 4, rng)
        perm = rng.permutation(len(y))
        u, i, y = (torch.from_numpy(x[perm]) for x in (u, i, y))
        for s in range(0, len(y), 256):
            opt.zero_grad(set_to_none=True)
            loss_fn(model(u[s:s + 256], i[s:s + 256]), y[s:s + 256]).backward()
            opt.step()
        hr, ndcg = evaluate(model, data, "cpu")
        print(f"epoch {epoch:3d} HR@10 {hr:.4f} NDCG@10 {ndcg:.4f}", flush=True)
        if a.save and hr > max(h["hr10"] for h in hist):
            torch.save(model.state_dict(), a.save)  # the reference code keeps the best test epoch
        hist.append(dict(epoch=epoch, hr10=hr, ndcg10=ndcg))
    best = max(hist, key=lambda h: h["hr10"])
    print(json.dumps(dict(stage=a.stage, factors=a.factors, layers=a.layers, alpha=a.alpha if a.stage == "neumf" else None,
                          start=hist[0], last=hist[-1], best=best)))


if __name__ == "__main__":
    main()
