export { Module } from './module';
export { Linear, Embedding, MLPTower, BatchNorm1d, Dropout, type LinearInit } from './layers';
